namespace Caas.Capture.Engine.Bundles;

/// <summary>One file of a checkpoint bundle: its path relative to the bundle ('/'-separated), size and SHA-256 (lower-case hex).</summary>
public sealed record ManifestFile(string Path, long Size, string Sha256);
