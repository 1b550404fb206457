namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// One file of a checkpoint bundle: its path relative to the bundle ('/'-separated), size, and the
/// SHA-256 (lower-case hex) of each of its <see cref="CheckpointManifest.ChunkBytes"/>-byte chunks in
/// order, the last one possibly shorter; an empty file has no chunks.
/// </summary>
public sealed record ManifestFile(string Path, long Size, IReadOnlyList<string> Chunks);
