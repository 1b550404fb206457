using System.Text.Json;
using Caas.Capture.Engine.Bundles;

namespace Caas.Capture.Tests;

/// <summary>Manifests and keys for bundle tests: a fixed platform key, a second key an attacker might hold.</summary>
public static class TestBundles
{
    public static readonly byte[] PlatformKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    public static readonly byte[] OtherKey = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();
    public static readonly HmacManifestSigner Signer = new(PlatformKey);

    private static readonly JsonSerializerOptions ManifestOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static CheckpointManifest Manifest(string jobId, int sequence) => new()
    {
        JobId = jobId,
        Sequence = sequence,
        Engine = "criu 4.2.1",
        NodeId = "node-a",
        Pool = "default",
        CpuModel = "Test CPU",
        CpuFlags = ["fpu", "sse2"],
        TakenAt = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero),
        Progress = 0.42,
        LeaveRunning = true,
        Files = [],
    };

    public static CheckpointManifest Read(CheckpointBundle bundle) =>
        JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllText(bundle.ManifestPath), ManifestOptions)!;

    /// <summary>Writes the manifest as it is on disk again, signed with <paramref name="signer"/>; the file list is kept as it stands.</summary>
    public static void Resign(CheckpointBundle bundle, IManifestSigner signer) => Write(bundle, Read(bundle), signer);

    public static void Write(CheckpointBundle bundle, CheckpointManifest manifest, IManifestSigner signer)
    {
        var unsigned = manifest with { Signature = null };
        var signed = unsigned with { Signature = signer.Sign(CanonicalBytes(unsigned)) };
        File.WriteAllText(bundle.ManifestPath, JsonSerializer.Serialize(signed, ManifestOptions));
    }

    /// <summary>
    /// A format 5 chunk hash, written out here from its definition rather than taken from the engine: the SHA-256 of the
    /// SHA-256 of each 4 KiB block of the chunk, the last one possibly shorter.
    /// </summary>
    public static string ChunkHash(ReadOnlySpan<byte> chunk)
    {
        var blockHashes = new List<byte>();
        for (var offset = 0; offset < chunk.Length; offset += 4096)
            blockHashes.AddRange(System.Security.Cryptography.SHA256.HashData(chunk[offset..Math.Min(offset + 4096, chunk.Length)]));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(blockHashes.ToArray()));
    }

    /// <summary>A format 3 or 4 chunk hash: the SHA-256 of the chunk's bytes.</summary>
    public static string WholeChunkHash(ReadOnlySpan<byte> chunk) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(chunk));

    /// <summary>The manifest of <paramref name="bundle"/> with every file's chunks hashed as a format 3 or 4 manifest holds them, signed: what an older agent wrote.</summary>
    public static void RewriteAsWholeChunkFormat(CheckpointBundle bundle, CheckpointManifest manifest, int format) =>
        Write(bundle, manifest with
        {
            Format = format,
            Files = [.. manifest.Files.Select(f => f with
            {
                Chunks = [.. File.ReadAllBytes(Path.Combine(bundle.Directory, f.Path)).Chunk(manifest.ChunkBytes).Select(c => WholeChunkHash(c))],
            })],
        }, Signer);

    /// <summary>The bytes a signature covers, computed the way the verifier does (the engine's own canonical form).</summary>
    private static byte[] CanonicalBytes(CheckpointManifest manifest) => ManifestJson.Canonical(manifest);
}
