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

    /// <summary>The bytes a signature covers, computed the way the verifier does (the engine's own canonical form).</summary>
    private static byte[] CanonicalBytes(CheckpointManifest manifest) => ManifestJson.Canonical(manifest);
}
