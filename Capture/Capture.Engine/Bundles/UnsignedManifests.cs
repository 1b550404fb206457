namespace Caas.Capture.Engine.Bundles;

/// <summary>No signing yet: checksums protect against damage, not against someone who can write the bundle. Replace with an HMAC signer when keys are distributed.</summary>
public sealed class UnsignedManifests : IManifestSigner
{
    public string? Sign(ReadOnlySpan<byte> canonicalManifest) => null;

    public string? Check(ReadOnlySpan<byte> canonicalManifest, string? signature) => null;
}
