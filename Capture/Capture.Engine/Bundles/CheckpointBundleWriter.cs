using System.Text.Json;

namespace Caas.Capture.Engine.Bundles;

/// <summary>Seals a bundle once the engine has written its images: hashes every file's chunks and writes manifest.json last, so a bundle with a manifest is complete.</summary>
public sealed class CheckpointBundleWriter(IManifestSigner signer)
{
    /// <param name="manifest">Everything but the file list and signature, which are filled in here; its <see cref="CheckpointManifest.ChunkBytes"/> sets the chunk size.</param>
    /// <param name="hashedDuringDump">Chunks already hashed while the engine wrote them, reused when their chunk size is the manifest's.</param>
    /// <param name="encoded">The stored files that are encoded images (see <see cref="CheckpointImageEncoder"/>), by stored path; the rest are stored as the engine wrote them.</param>
    public async Task<CheckpointManifest> SealAsync(CheckpointBundle bundle, CheckpointManifest manifest, CancellationToken cancellationToken = default, AppendedChunkHasher? hashedDuringDump = null, EncodedImages? encoded = null)
    {
        if (manifest.ChunkBytes is < CheckpointManifest.MinChunkBytes or > CheckpointManifest.MaxChunkBytes || manifest.ChunkBytes % ChunkDigest.BlockBytes != 0)
            throw new ArgumentException($"chunk size {manifest.ChunkBytes} is outside {CheckpointManifest.MinChunkBytes}..{CheckpointManifest.MaxChunkBytes} bytes or not a whole number of {ChunkDigest.BlockBytes}-byte blocks", nameof(manifest));
        var listed = BundleFiles.List(bundle.Directory)
            .Select(relative => (Relative: relative, Path: Path.Combine(bundle.Directory, relative)))
            .Select(f => (f.Relative, f.Path, new FileInfo(f.Path).Length))
            .ToList();
        var early = hashedDuringDump is not null && hashedDuringDump.ChunkBytes == manifest.ChunkBytes ? hashedDuringDump.Hashed : null;
        var known = listed.Select(f => early is not null && early.TryGetValue(f.Relative, out var prefix) ? prefix : null).ToList();
        var chunks = await ChunkHasher.HashAsync([.. listed.Select(f => (f.Path, f.Length))], manifest.ChunkBytes, CheckpointManifest.CurrentFormat, cancellationToken, known);
        var files = listed.Select((f, i) => new ManifestFile(f.Relative, f.Length, chunks[i], encoded?.Files.GetValueOrDefault(f.Relative))).ToList();
        var unsigned = manifest with { Format = CheckpointManifest.CurrentFormat, Files = files, Signature = null };
        var sealedManifest = unsigned with { Signature = signer.Sign(ManifestJson.Canonical(unsigned)) };
        var temporary = bundle.ManifestPath + ".tmp";
        await File.WriteAllBytesAsync(temporary, JsonSerializer.SerializeToUtf8Bytes(sealedManifest, ManifestJson.Options), cancellationToken);
        File.Move(temporary, bundle.ManifestPath, overwrite: true);
        return sealedManifest;
    }
}
