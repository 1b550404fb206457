using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// The hash of every fixed-size chunk of a set of files (see <see cref="ChunkDigest"/> for what it is per format), on all cores: a 1 GiB page image is one
/// file, so hashing it whole would keep one core busy while the other idles, and chunks are also
/// the unit a resumable transfer or a deduplicating checkpoint can check on its own.
/// </summary>
internal static class ChunkHasher
{
    /// <summary>Large enough that a syscall per read is noise, small enough that a worker's buffer stays cheap.</summary>
    private const int ReadBytes = 4 << 20;

    public static int ChunkCount(long size, int chunkBytes) => (int)((size + chunkBytes - 1) / chunkBytes);

    /// <param name="files">Absolute paths and the sizes to hash: a file that is shorter when read is an error, bytes past the size are not read.</param>
    /// <param name="format">The manifest format the hashes are for (<see cref="ChunkDigest.IsBlockHashed"/>).</param>
    /// <returns>Per file (same order), the lower-case hex hash of each chunk; an empty file has none.</returns>
    /// <exception cref="IOException">When a file cannot be read or is shorter than its size.</exception>
    /// <param name="known">Per file (same order), hashes of its first chunks already taken (see <see cref="AppendedChunkHasher"/>); those chunks are not read again.</param>
    public static async Task<string[][]> HashAsync(IReadOnlyList<(string Path, long Size)> files, int chunkBytes, int format, CancellationToken cancellationToken, IReadOnlyList<IReadOnlyList<string>?>? known = null)
    {
        var hashes = new string[files.Count][];
        var work = new List<(int File, int Chunk)>();
        for (var f = 0; f < files.Count; f++)
        {
            hashes[f] = new string[ChunkCount(files[f].Size, chunkBytes)];
            var reused = known?[f] is { } prefix && prefix.Count <= hashes[f].Length ? prefix : [];
            for (var c = 0; c < hashes[f].Length; c++)
            {
                if (c < reused.Count)
                    hashes[f][c] = reused[c];
                else
                    work.Add((f, c));
            }
        }
        var handles = new SafeFileHandle?[files.Count];
        try
        {
            for (var f = 0; f < files.Count; f++)
                handles[f] = File.OpenHandle(files[f].Path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
            // Synchronous reads on pool threads: the work is CPU-bound hashing of page-cache reads, and
            // async file I/O would only add a copy through the thread pool per read.
            await Task.Run(() => Parallel.ForEach(work, options, item =>
            {
                var (path, size) = files[item.File];
                var start = (long)item.Chunk * chunkBytes;
                hashes[item.File][item.Chunk] = HashRange(handles[item.File]!, path, start, Math.Min(chunkBytes, size - start), format);
            }), cancellationToken);
        }
        finally
        {
            foreach (var handle in handles)
                handle?.Dispose();
        }
        return hashes;
    }

    private static string HashRange(SafeFileHandle handle, string path, long start, long length, int format)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(ReadBytes, Math.Max(length, 1)));
        try
        {
            using var digest = new ChunkDigest.Builder(format);
            var offset = start;
            var end = start + length;
            while (offset < end)
            {
                var read = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, end - offset)), offset);
                if (read == 0)
                    throw new IOException($"{path} ended at byte {offset}, before the {end} bytes it was to have");
                digest.Append(buffer.AsSpan(0, read));
                offset += read;
            }
            return digest.Finish();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
