using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// Hashes the complete chunks of CRIU's page images (as format 5 manifests hash them, see <see cref="ChunkDigest"/>) while the dump is still writing them, on one
/// thread so that CRIU keeps the other core: most of a 1 GiB image is then hashed by the time the
/// dump ends, instead of after it. Only files CRIU appends to (pages-*.img) are read; whatever was
/// not hashed here is hashed when the bundle is sealed, and a restore verifies every chunk anyway, so
/// a chunk that changed after it was hashed makes the checkpoint refused, never accepted.
/// A chunk's hash is made from the SHA-256 of its 4 KiB pages, which with hashPages are also kept
/// (the page index an incremental checkpoint needs): the image is read and hashed once, while CRIU writes it,
/// instead of once more after the dump, and hashed once rather than twice. Once the checkpoint is known to be incremental its page
/// images are replaced by deltas, whose chunks the seal hashes: <see cref="SkipChunks"/> then stops
/// hashing chunks nobody will use.
/// </summary>
public sealed class AppendedChunkHasher
{
    private readonly string _bundleDirectory;
    private readonly int _chunkBytes;
    private readonly bool _hashPages;

    /// <param name="chunkBytes">A whole number of pages, as a format 5 manifest's chunk size is.</param>
    public AppendedChunkHasher(string bundleDirectory, int chunkBytes = CheckpointManifest.DefaultChunkBytes, bool hashPages = false)
    {
        if (chunkBytes <= 0 || chunkBytes % PageBytes != 0)
            throw new ArgumentOutOfRangeException(nameof(chunkBytes), chunkBytes, $"a chunk must be a whole number of {PageBytes}-byte pages");
        _bundleDirectory = bundleDirectory;
        _chunkBytes = chunkBytes;
        _hashPages = hashPages;
    }

    private const string PagesPattern = "pages-*.img";
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(5);

    private const int PageBytes = ChunkDigest.BlockBytes;
    private const int PageHashBytes = ChunkDigest.BlockHashBytes;

    /// <summary>Per page image, one entry per complete chunk read: its SHA-256 (null once chunks are skipped) and its pages' SHA-256.</summary>
    private readonly ConcurrentDictionary<string, List<(string? Chunk, byte[] Pages)>> _hashed = new(StringComparer.Ordinal);
    private volatile bool _skipChunks;

    public int ChunkBytes => _chunkBytes;

    /// <summary>The hashes of each page image's first complete chunks, by path relative to the bundle.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Hashed =>
        _hashed.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)[.. Snapshot(p.Value).TakeWhile(c => c.Chunk is not null).Select(c => c.Chunk!)], StringComparer.Ordinal);

    /// <summary>
    /// The SHA-256 of the pages of each page image's first complete chunks (32 bytes a page, in order), by path
    /// relative to the bundle; empty unless constructed with hashPages.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> PageHashes =>
        _hashPages ? _hashed.ToDictionary(p => p.Key, p => Snapshot(p.Value).SelectMany(c => c.Pages).ToArray(), StringComparer.Ordinal) : new Dictionary<string, byte[]>();

    // The hashing thread appends while a reader (the seal, a test watching progress) may look: lists change under lock only.
    private static (string? Chunk, byte[] Pages)[] Snapshot(List<(string? Chunk, byte[] Pages)> hashes)
    {
        lock (hashes)
            return [.. hashes];
    }

    private static void Append(List<(string? Chunk, byte[] Pages)> hashes, (string? Chunk, byte[] Pages) hashed)
    {
        lock (hashes)
            hashes.Add(hashed);
    }

    /// <summary>Stops hashing chunks from now on (page hashes go on): the page images will not be stored as written.</summary>
    public void SkipChunks() => _skipChunks = true;

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
                foreach (var path in Directory.EnumerateFiles(Path.Combine(_bundleDirectory, CheckpointBundle.ImagesDirectoryName), PagesPattern))
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

    /// <summary>
    /// After the dump, when the page images no longer grow: hashes their complete chunks not hashed yet on all
    /// cores, in the same single read, so that neither the page index nor the seal reads them again. A chunk
    /// it cannot read is left to the seal, with every chunk after it in that file.
    /// </summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        string[] paths;
        try
        {
            paths = Directory.GetFiles(Path.Combine(_bundleDirectory, CheckpointBundle.ImagesDirectoryName), PagesPattern);
        }
        catch (IOException)
        {
            return;
        }
        var skipChunks = _skipChunks;
        if (skipChunks && !_hashPages)
            return;
        var work = new List<(string Path, List<(string? Chunk, byte[] Pages)> Hashes, long Start)>();
        foreach (var path in paths)
        {
            var hashes = _hashed.GetOrAdd(Relative(path), _ => []);
            var complete = new FileInfo(path).Length / _chunkBytes;
            for (long chunk = hashes.Count; chunk < complete; chunk++)
                work.Add((path, hashes, chunk * _chunkBytes));
        }
        var results = new (string? Chunk, byte[] Pages)?[work.Count];
        var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        await Task.Run(() => Parallel.For(0, work.Count, options, () => new byte[4 << 20], (i, _, buffer) =>
        {
            try
            {
                using var handle = File.OpenHandle(work[i].Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
                results[i] = HashChunk(handle, work[i].Start, buffer, skipChunks);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                results[i] = null;
            }
            return buffer;
        }, _ => { }), cancellationToken);
        var broken = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < work.Count; i++)
        {
            if (broken.Contains(work[i].Path))
                continue;
            if (results[i] is { } result)
                Append(work[i].Hashes, result);
            else
                broken.Add(work[i].Path);
        }
    }

    private string Relative(string path) => Path.GetRelativePath(_bundleDirectory, path).Replace('\\', '/');

    private bool TryHashNextChunk(string path, byte[] buffer)
    {
        var hashes = _hashed.GetOrAdd(Relative(path), _ => []);
        var start = (long)hashes.Count * _chunkBytes;
        var skipChunks = _skipChunks;
        if (skipChunks && !_hashPages)
            return false;
        try
        {
            using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
            if (RandomAccess.GetLength(handle) < start + _chunkBytes || HashChunk(handle, start, buffer, skipChunks) is not { } hashed)
                return false;
            Append(hashes, hashed);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <returns>The chunk's hash (null when chunks are skipped) and its pages' SHA-256 (empty without hashPages); null when the file ends before the chunk does.</returns>
    private (string? Chunk, byte[] Pages)? HashChunk(SafeFileHandle handle, long start, byte[] buffer, bool skipChunks)
    {
        // One SHA-256 pass over the bytes: the page hashes are the page index and, hashed once more (32 bytes a page), the chunk's hash.
        var pages = new byte[_chunkBytes / PageBytes * PageHashBytes];
        var segmentLimit = buffer.Length - buffer.Length % PageBytes;
        for (var offset = start; offset < start + _chunkBytes;)
        {
            // Whole segments (a multiple of a page, since the chunk is one), so that pages are hashed from one buffer.
            var segment = (int)Math.Min(segmentLimit, start + _chunkBytes - offset);
            for (var filled = 0; filled < segment;)
            {
                var read = RandomAccess.Read(handle, buffer.AsSpan(filled, segment - filled), offset + filled);
                if (read == 0)
                    return null;
                filled += read;
            }
            ChunkDigest.HashBlocks(buffer.AsSpan(0, segment), pages.AsSpan((int)((offset - start) / PageBytes * PageHashBytes)));
            offset += segment;
        }
        return (skipChunks ? null : ChunkDigest.FromBlockHashes(pages), _hashPages ? pages : []);
    }
}
