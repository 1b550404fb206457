namespace Caas.Capture.Engine.Bundles;

/// <summary>The encodings a format 4 bundle may store an engine image in.</summary>
public static class ImageEncodings
{
    /// <summary>One or more zstd frames of the whole image.</summary>
    public const string Zstd = "zstd";

    /// <summary>A page image as runs of new pages and references to the parent's pages (see <see cref="Dedup.PageDelta"/>).</summary>
    public const string PageDelta = "page-delta";

    /// <summary>The suffix the stored file gets after the image's own name.</summary>
    public static string Suffix(string encoding) => encoding switch
    {
        Zstd => ".zst",
        PageDelta => ".delta",
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "unknown image encoding"),
    };

    public static bool IsKnown(string encoding) => encoding is Zstd or PageDelta;
}
