using System.Security.Cryptography;

namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// What a manifest's chunk hash is. Up to format 4: the SHA-256 of the chunk's bytes. From format 5: the SHA-256 of
/// the SHA-256 of each 4 KiB block of the chunk, in order (the last block of a file may be shorter), so that the
/// agent hashes every byte of a page image once: the block hashes of a page image are its page index, and the chunk
/// hash is 32 bytes of hashing per 4 KiB on top. Every byte stays covered by the signed manifest: changing a byte
/// changes its block's SHA-256 and with it the chunk's; block boundaries are fixed, and a file's size is signed.
/// </summary>
public static class ChunkDigest
{
    public const int BlockBytes = 4096;
    public const int BlockHashBytes = 32;
    /// <summary>The first manifest format whose chunk hashes are over block hashes.</summary>
    public const int FirstBlockHashedFormat = 5;

    public static bool IsBlockHashed(int format) => format >= FirstBlockHashedFormat;

    /// <summary>Number of blocks (the last may be short) in <paramref name="length"/> bytes.</summary>
    public static int BlockCount(long length) => (int)((length + BlockBytes - 1) / BlockBytes);

    /// <summary>Writes the SHA-256 of each block of <paramref name="data"/> to <paramref name="hashes"/> (32 bytes a block).</summary>
    public static void HashBlocks(ReadOnlySpan<byte> data, Span<byte> hashes)
    {
        for (var b = 0; b * BlockBytes < data.Length; b++)
            SHA256.HashData(data.Slice(b * BlockBytes, Math.Min(BlockBytes, data.Length - b * BlockBytes)), hashes.Slice(b * BlockHashBytes, BlockHashBytes));
    }

    /// <summary>The format 5 chunk hash from the chunk's block hashes.</summary>
    public static string FromBlockHashes(ReadOnlySpan<byte> blockHashes) => Convert.ToHexStringLower(SHA256.HashData(blockHashes));

    /// <summary>The chunk hash of <paramref name="chunk"/> as a manifest of <paramref name="format"/> holds it.</summary>
    public static string Of(ReadOnlySpan<byte> chunk, int format)
    {
        using var builder = new Builder(format);
        builder.Append(chunk);
        return builder.Finish();
    }

    /// <summary>Takes a chunk's bytes in pieces of any size, in order, and gives its hash; reusable after <see cref="Finish"/>.</summary>
    public sealed class Builder(int format) : IDisposable
    {
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly bool _blocks = IsBlockHashed(format);
        private readonly byte[] _partial = IsBlockHashed(format) ? new byte[BlockBytes] : [];
        private int _partialLength;

        public void Append(ReadOnlySpan<byte> data)
        {
            if (!_blocks)
            {
                _sha.AppendData(data);
                return;
            }
            Span<byte> hash = stackalloc byte[BlockHashBytes];
            if (_partialLength > 0)
            {
                var take = Math.Min(BlockBytes - _partialLength, data.Length);
                data[..take].CopyTo(_partial.AsSpan(_partialLength));
                _partialLength += take;
                data = data[take..];
                if (_partialLength < BlockBytes)
                    return;
                SHA256.HashData(_partial, hash);
                _sha.AppendData(hash);
                _partialLength = 0;
            }
            while (data.Length >= BlockBytes)
            {
                SHA256.HashData(data[..BlockBytes], hash);
                _sha.AppendData(hash);
                data = data[BlockBytes..];
            }
            data.CopyTo(_partial);
            _partialLength = data.Length;
        }

        /// <summary>The hash of everything appended since the last call (a short last block counts as a block).</summary>
        public string Finish()
        {
            if (_blocks && _partialLength > 0)
            {
                Span<byte> hash = stackalloc byte[BlockHashBytes];
                SHA256.HashData(_partial.AsSpan(0, _partialLength), hash);
                _sha.AppendData(hash);
                _partialLength = 0;
            }
            return Convert.ToHexStringLower(_sha.GetHashAndReset());
        }

        public void Dispose() => _sha.Dispose();
    }
}
