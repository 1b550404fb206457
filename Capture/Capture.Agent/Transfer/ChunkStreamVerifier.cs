using Caas.Capture.Engine.Bundles;

namespace Caas.Capture.Agent.Transfer;

/// <summary>
/// Hashes a file's bytes as they arrive and compares every completed chunk with its hash (as of the manifest's format) in the
/// signed manifest, so a source sending other bytes is caught at the first bad chunk rather than after
/// the whole image. Bytes must be appended in order, each exactly once (a resumed request continues the hash).
/// </summary>
internal sealed class ChunkStreamVerifier(ManifestFile file, int chunkBytes, int format) : IDisposable
{
    private readonly ChunkDigest.Builder _digest = new(format);
    private int _chunk;
    private long _inChunk;

    public static int ChunkCount(long size, int chunkBytes) => (int)((size + chunkBytes - 1) / chunkBytes);

    /// <exception cref="TransferFailedException">When a completed chunk does not match the manifest.</exception>
    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var length = ChunkLength(_chunk);
            var take = (int)Math.Min(data.Length, length - _inChunk);
            _digest.Append(data[..take]);
            _inChunk += take;
            data = data[take..];
            if (_inChunk < length)
                continue;
            var actual = _digest.Finish();
            if (!string.Equals(actual, file.Chunks[_chunk], StringComparison.OrdinalIgnoreCase))
            {
                var start = (long)_chunk * chunkBytes;
                throw new TransferFailedException($"{file.Path} chunk {_chunk} (bytes {start}-{start + length - 1}) does not match its SHA-256 in the signed manifest: the source sent other bytes than it signed");
            }
            _chunk++;
            _inChunk = 0;
        }
    }

    private long ChunkLength(int chunk) => Math.Min(chunkBytes, file.Size - (long)chunk * chunkBytes);

    public void Dispose() => _digest.Dispose();
}
