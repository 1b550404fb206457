using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Caas.Capture.Engine.Bundles.Dedup;

/// <summary>
/// The SHA-256 of every 4 KiB page of a bundle's decoded page image, stored in the bundle as
/// index/&lt;image name&gt;.sha256 (32 bytes a page, in order), so that the next checkpoint can find its
/// unchanged pages without reading this one's images again. Only the writer of the next checkpoint
/// reads it; a restore never trusts it, it follows the delta's references, which are verified.
/// </summary>
public static class PageIndex
{
    public const int HashBytes = 32;
    public const string DirectoryName = "index";
    private const string Suffix = ".sha256";
    /// <summary>Pages one worker hashes per read: 4 MiB, large enough that the read is not the cost.</summary>
    private const int PagesPerBlock = 1024;

    /// <summary>The index's path in the bundle for a decoded image path such as images/pages-1.img.</summary>
    public static string PathFor(string imagePath) => $"{DirectoryName}/{System.IO.Path.GetFileName(imagePath)}{Suffix}";

    /// <summary>True for CRIU's page images (pages-N.img), the files that are deduplicated.</summary>
    public static bool IsPageImage(string imagePath)
    {
        var name = System.IO.Path.GetFileName(imagePath);
        return name.StartsWith("pages-", StringComparison.Ordinal) && name.EndsWith(".img", StringComparison.Ordinal);
    }

    /// <summary>Hashes every page of <paramref name="path"/> on all cores; the file must be a whole number of pages.</summary>
    /// <param name="known">The hashes of the file's first pages, already taken while the engine wrote them (see <see cref="AppendedChunkHasher"/>): only the pages after them are read.</param>
    /// <returns>32 bytes per page, in page order.</returns>
    public static async Task<byte[]> HashPagesAsync(string path, CancellationToken cancellationToken, byte[]? known = null)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var length = RandomAccess.GetLength(handle);
        if (length % PageDelta.PageBytes != 0)
            throw new InvalidDataException($"{path} has {length} bytes, not a whole number of {PageDelta.PageBytes}-byte pages");
        var pages = length / PageDelta.PageBytes;
        var hashes = new byte[pages * HashBytes];
        var skipped = known is { Length: > 0 } && known.Length % HashBytes == 0 && known.Length <= hashes.Length ? known.Length / HashBytes : 0L;
        if (skipped > 0)
            known!.CopyTo(hashes, 0);
        var blocks = (pages - skipped + PagesPerBlock - 1) / PagesPerBlock;
        var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        await Task.Run(() => Parallel.For(0L, blocks, options, () => new byte[PagesPerBlock * PageDelta.PageBytes], (block, _, buffer) =>
        {
            var first = skipped + block * PagesPerBlock;
            var count = (int)Math.Min(PagesPerBlock, pages - first);
            ReadFully(handle, path, buffer.AsSpan(0, count * PageDelta.PageBytes), first * PageDelta.PageBytes);
            for (var p = 0; p < count; p++)
                SHA256.HashData(buffer.AsSpan(p * PageDelta.PageBytes, PageDelta.PageBytes), hashes.AsSpan((int)((first + p) * HashBytes), HashBytes));
            return buffer;
        }, _ => { }), cancellationToken);
        return hashes;
    }

    internal static void ReadFully(SafeFileHandle handle, string path, Span<byte> buffer, long offset)
    {
        while (buffer.Length > 0)
        {
            var read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0)
                throw new IOException($"{path} ended at byte {offset}");
            buffer = buffer[read..];
            offset += read;
        }
    }
}
