namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// Signs a manifest's canonical bytes and checks signatures. The seam for HMAC signing: restoring a
/// crafted image as root is code execution, so once keys exist a bundle must prove where it came from.
/// </summary>
public interface IManifestSigner
{
    /// <returns>The signature to store in the manifest, or null when bundles are not signed.</returns>
    string? Sign(ReadOnlySpan<byte> canonicalManifest);

    /// <returns>Null when acceptable, else why not.</returns>
    string? Check(ReadOnlySpan<byte> canonicalManifest, string? signature);
}
