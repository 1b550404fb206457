using System.Text.Json.Serialization;

namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// One file of a checkpoint bundle: its path relative to the bundle ('/'-separated), size, and the
/// SHA-256 (lower-case hex) of each of its <see cref="CheckpointManifest.ChunkBytes"/>-byte chunks in
/// order, the last one possibly shorter; an empty file has no chunks. The hashes are over the bytes
/// stored; when <paramref name="Image"/> is set the stored file is an encoded engine image that a
/// restore decodes first (left out of the JSON when null, so format 3 manifests keep their signed bytes).
/// </summary>
public sealed record ManifestFile(
    string Path,
    long Size,
    IReadOnlyList<string> Chunks,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] EncodedImage? Image = null);
