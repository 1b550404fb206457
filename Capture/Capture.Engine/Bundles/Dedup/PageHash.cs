using System.Buffers.Binary;

namespace Caas.Capture.Engine.Bundles.Dedup;

/// <summary>A page's SHA-256 as a dictionary key.</summary>
public readonly record struct PageHash(ulong A, ulong B, ulong C, ulong D)
{
    public static PageHash From(ReadOnlySpan<byte> sha256) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(sha256),
        BinaryPrimitives.ReadUInt64LittleEndian(sha256[8..]),
        BinaryPrimitives.ReadUInt64LittleEndian(sha256[16..]),
        BinaryPrimitives.ReadUInt64LittleEndian(sha256[24..]));
}
