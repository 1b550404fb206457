using Caas.Capture.Engine.Bundles;

namespace Caas.Capture.Tests;

/// <summary>Real signed bundles of random (incompressible, reproducible) files, for moving between agents.</summary>
public static class TestTransferBundles
{
    /// <param name="parent">The bundle this one was taken after (its sequence and manifest digest are recorded, as the agent does), or null for a full one.</param>
    public static async Task<CheckpointManifest> SealAsync(CheckpointBundleWriter writer, CheckpointBundle bundle, string jobId, int sequence, (int Sequence, CheckpointBundle Bundle)? parent, int chunkBytes, params (string Name, int Bytes)[] files)
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
        return await writer.SealAsync(bundle, TestBundles.Manifest(jobId, sequence) with
        {
            ParentSequence = parent?.Sequence,
            ParentDigest = parent is { Bundle: var parentBundle } ? ManifestDigest.Of(await File.ReadAllBytesAsync(parentBundle.ManifestPath)) : null,
            ChunkBytes = chunkBytes,
        });
    }

    /// <summary>Bytes of a bundle as it travels: its files and its manifest.</summary>
    public static long WireBytes(CheckpointBundle bundle, CheckpointManifest manifest) => manifest.TotalBytes + new FileInfo(bundle.ManifestPath).Length;
}
