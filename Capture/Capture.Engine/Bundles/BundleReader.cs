using System.Text.Json;

namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// Reads a bundle for someone else (an agent serving it to another, or receiving one): parses a
/// manifest and proves its signature, and opens only the files a manifest lists. Everything a
/// restore relies on is still checked by <see cref="CheckpointBundleVerifier"/> on the whole bundle.
/// </summary>
public static class BundleReader
{
    /// <returns>Null when <paramref name="name"/> is a plain relative path inside a bundle (other than the manifest), else what is wrong with it.</returns>
    public static string? NameProblem(string name) => CheckpointBundleVerifier.PathProblem(name);

    /// <summary>Parses manifest bytes and checks their signature before anything in them is believed.</summary>
    /// <param name="origin">Where the bytes came from, for the refusal's message.</param>
    /// <exception cref="CheckpointBundleRejectedException">When the bytes are no manifest or the signature does not hold.</exception>
    public static CheckpointManifest ParseSigned(string origin, ReadOnlySpan<byte> json, IManifestSigner signer)
    {
        CheckpointManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CheckpointManifest>(json, ManifestJson.Options);
        }
        catch (JsonException e)
        {
            throw new CheckpointBundleRejectedException(origin, $"{CheckpointBundle.ManifestFileName} is not a valid manifest: {e.Message}");
        }
        if (manifest?.Files is null)
            throw new CheckpointBundleRejectedException(origin, $"{CheckpointBundle.ManifestFileName} is empty");
        if (signer.Check(ManifestJson.Canonical(manifest), manifest.Signature) is { } problem)
            throw new CheckpointBundleRejectedException(origin, $"bad signature: {problem}");
        return manifest;
    }

    /// <summary>Opens <paramref name="name"/> of the bundle for reading when the manifest lists it and it is a regular file, not a link.</summary>
    /// <returns>Null when the manifest does not list the name or the file is not a plain file of the bundle.</returns>
    public static FileStream? OpenListedFile(CheckpointBundle bundle, CheckpointManifest manifest, string name)
    {
        if (NameProblem(name) is not null || !manifest.Files.Any(f => f.Path == name))
            return null;
        // No link anywhere on the way: a listed name must not lead out of the bundle.
        var path = bundle.Directory;
        foreach (var segment in name.Split('/'))
        {
            path = Path.Combine(path, segment);
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
                return null;
        }
        if (!File.Exists(path) || !Proc.Libc.IsRegularFile(path))
            return null;
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
    }
}
