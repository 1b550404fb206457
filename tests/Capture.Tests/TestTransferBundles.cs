using Caas.Capture.Engine.Bundles;

namespace Caas.Capture.Tests;

/// <summary>Real signed bundles of random (incompressible, reproducible) files, for moving between agents.</summary>
public static class TestTransferBundles
{
    public static async Task<CheckpointManifest> SealAsync(CheckpointBundleWriter writer, CheckpointBundle bundle, string jobId, int sequence, int? parent, int chunkBytes, params (string Name, int Bytes)[] files)
    {
        var random = new Random(sequence * 7919 + jobId.GetHashCode(StringComparison.Ordinal));
        foreach (var (name, bytes) in files)
        {
            var path = Path.Combine(bundle.Directory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var content = new byte[bytes];
            random.NextBytes(content);
            await File.WriteAllBytesAsync(path, content);
        }
        Directory.CreateDirectory(bundle.Directory);
        return await writer.SealAsync(bundle, TestBundles.Manifest(jobId, sequence) with { ParentSequence = parent, ChunkBytes = chunkBytes });
    }

    /// <summary>Bytes of a bundle as it travels: its files and its manifest.</summary>
    public static long WireBytes(CheckpointBundle bundle, CheckpointManifest manifest) => manifest.TotalBytes + new FileInfo(bundle.ManifestPath).Length;
}
