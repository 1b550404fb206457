using System.Text.Json;

namespace Caas.Capture.Engine.Bundles;

/// <summary>Seals a bundle once the engine has written its images: hashes every file and writes manifest.json last, so a bundle with a manifest is complete.</summary>
public sealed class CheckpointBundleWriter(IManifestSigner signer)
{
    /// <param name="manifest">Everything but the file list and signature, which are filled in here.</param>
    public async Task<CheckpointManifest> SealAsync(CheckpointBundle bundle, CheckpointManifest manifest, CancellationToken cancellationToken = default)
    {
        var files = new List<ManifestFile>();
        foreach (var relative in BundleFiles.List(bundle.Directory))
        {
            var path = Path.Combine(bundle.Directory, relative);
            files.Add(new ManifestFile(relative, new FileInfo(path).Length, await BundleFiles.Sha256Async(path, cancellationToken)));
        }
        var unsigned = manifest with { Files = files, Signature = null };
        var sealedManifest = unsigned with { Signature = signer.Sign(ManifestJson.Canonical(unsigned)) };
        var temporary = bundle.ManifestPath + ".tmp";
        await File.WriteAllBytesAsync(temporary, JsonSerializer.SerializeToUtf8Bytes(sealedManifest, ManifestJson.Options), cancellationToken);
        File.Move(temporary, bundle.ManifestPath, overwrite: true);
        return sealedManifest;
    }
}
