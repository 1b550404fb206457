using ZstdSharp;

namespace Caas.Capture.Engine.Bundles.Compression;

/// <summary>zstd for image files: compressing a file in place of the original, and decompressing with the size the manifest declares as a hard bound.</summary>
public static class ZstdImages
{
    /// <summary>Fast enough to keep up with a disk; memory images gain little from higher levels.</summary>
    public const int Level = 1;
    private const int BufferBytes = 1 << 20;

    /// <summary>Writes <paramref name="source"/> compressed to <paramref name="target"/>.</summary>
    public static async Task CompressAsync(string source, string target, CancellationToken cancellationToken)
    {
        await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, BufferBytes, FileOptions.SequentialScan);
        await using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferBytes);
        await using (var zstd = new CompressionStream(output, Level, BufferBytes, leaveOpen: true))
            await input.CopyToAsync(zstd, BufferBytes, cancellationToken);
    }

    /// <summary>Decompresses <paramref name="compressed"/> into <paramref name="output"/>, which must come to exactly <paramref name="declaredBytes"/>.</summary>
    /// <exception cref="InvalidDataException">When the data is not zstd, is damaged, or decodes to more or fewer bytes than declared (read no further than one buffer past the bound).</exception>
    public static async Task DecompressAsync(Stream compressed, Stream output, long declaredBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferBytes];
        long written = 0;
        try
        {
            await using var zstd = new DecompressionStream(compressed, BufferBytes, checkEndOfStream: true, leaveOpen: true);
            int read;
            while ((read = await zstd.ReadAsync(buffer, cancellationToken)) > 0)
            {
                written += read;
                if (written > declaredBytes)
                    throw new InvalidDataException($"it decompresses to more than the {declaredBytes} bytes declared");
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception e) when (e is ZstdException or EndOfStreamException)
        {
            throw new InvalidDataException($"it is not valid zstd data: {e.Message}");
        }
        if (written != declaredBytes)
            throw new InvalidDataException($"it decompresses to {written} bytes, {declaredBytes} were declared");
    }
}
