using ZstdSharp;

namespace Caas.Capture.Engine.Bundles.Compression;

/// <summary>
/// Guesses from a few samples whether zstd would shrink a file enough to be worth it, so that
/// incompressible memory (encrypted, random, already compressed) is stored raw at the cost of
/// compressing a few hundred KiB instead of the whole image.
/// </summary>
public static class CompressibilityProbe
{
    /// <summary>Compressing must save at least a tenth, or the bytes moved do not pay for the time.</summary>
    public const double MaxWorthwhileRatio = 0.9;
    /// <summary>Enough samples that a compressible part at the start (a job's libraries before its data) does not speak for the whole file.</summary>
    private const int Samples = 16;
    private const int SampleBytes = 64 << 10;

    /// <summary>Compresses up to sixteen 64 KiB samples spread evenly over the file at the fastest level: about a millisecond per sample.</summary>
    public static bool IsWorthCompressing(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var length = RandomAccess.GetLength(handle);
        if (length == 0)
            return false;
        return IsWorthCompressing(length, (buffer, offset) => RandomAccess.Read(handle, buffer.Span, offset));
    }

    /// <param name="read">Reads into the buffer from a position of the data, returning how many bytes it read.</param>
    public static bool IsWorthCompressing(long length, Func<Memory<byte>, long, int> read)
    {
        using var compressor = new Compressor(1);
        var buffer = new byte[SampleBytes];
        long input = 0, output = 0;
        var offsets = length <= Samples * SampleBytes
            ? Enumerable.Range(0, (int)((length + SampleBytes - 1) / SampleBytes)).Select(i => (long)i * SampleBytes)
            : Enumerable.Range(0, Samples).Select(i => length / Samples * i);
        foreach (var offset in offsets.Distinct())
        {
            var count = read(buffer.AsMemory(0, (int)Math.Min(SampleBytes, length - offset)), offset);
            if (count <= 0)
                break;
            input += count;
            output += compressor.Wrap(buffer.AsSpan(0, count)).Length;
        }
        return input > 0 && output <= input * MaxWorthwhileRatio;
    }
}
