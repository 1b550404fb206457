using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// Hashes the complete chunks of CRIU's page images while the dump is still writing them, on one
/// thread so that CRIU keeps the other core: most of a 1 GiB image is then hashed by the time the
/// dump ends, instead of after it. Only files CRIU appends to (pages-*.img) are read; whatever was
/// not hashed here is hashed when the bundle is sealed, and a restore verifies every chunk anyway, so
/// a chunk that changed after it was hashed makes the checkpoint refused, never accepted.
/// </summary>
public sealed class AppendedChunkHasher(string bundleDirectory, int chunkBytes = CheckpointManifest.DefaultChunkBytes)
{
    private const string PagesPattern = "pages-*.img";
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(5);

    private readonly ConcurrentDictionary<string, List<string>> _hashed = new(StringComparer.Ordinal);

    public int ChunkBytes => chunkBytes;

    /// <summary>The hashes of each page image's first complete chunks, by path relative to the bundle.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Hashed =>
        _hashed.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)[.. p.Value], StringComparer.Ordinal);

    /// <summary>Hashes until <paramref name="dumpFinished"/> is cancelled, then returns (never throws for it); a file it cannot read is left to the seal.</summary>
    public async Task RunAsync(CancellationToken dumpFinished)
    {
        await Task.Yield();
        var buffer = new byte[4 << 20];
        while (!dumpFinished.IsCancellationRequested)
        {
            var progressed = false;
            try
            {
                foreach (var path in Directory.EnumerateFiles(Path.Combine(bundleDirectory, CheckpointBundle.ImagesDirectoryName), PagesPattern))
                {
                    if (dumpFinished.IsCancellationRequested)
                        break;
                    progressed |= TryHashNextChunk(path, buffer);
                }
            }
            catch (IOException)
            {
                // Not created yet, or removed after a failed dump: nothing to hash now.
            }
            if (!progressed)
            {
                try
                {
                    await Task.Delay(Idle, dumpFinished);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private bool TryHashNextChunk(string path, byte[] buffer)
    {
        var relative = Path.GetRelativePath(bundleDirectory, path).Replace('\\', '/');
        var hashes = _hashed.GetOrAdd(relative, _ => []);
        var start = (long)hashes.Count * chunkBytes;
        try
        {
            using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
            if (RandomAccess.GetLength(handle) < start + chunkBytes)
                return false;
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            for (var offset = start; offset < start + chunkBytes;)
            {
                var read = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, start + chunkBytes - offset)), offset);
                if (read == 0)
                    return false;
                sha.AppendData(buffer, 0, read);
                offset += read;
            }
            hashes.Add(Convert.ToHexStringLower(sha.GetHashAndReset()));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
