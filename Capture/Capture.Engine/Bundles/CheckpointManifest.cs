using System.Text.Json.Serialization;

namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// manifest.json of a checkpoint bundle: what the image is and a checksum of every file in it.
/// Signature is reserved for the HMAC over the manifest (see <see cref="IManifestSigner"/>).
/// </summary>
public sealed record CheckpointManifest
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;
    public required string JobId { get; init; }
    public required int Sequence { get; init; }
    /// <summary>The checkpoint this one was taken after, for dedup against it; null for a full image.</summary>
    public int? ParentSequence { get; init; }
    /// <summary>Engine and version, e.g. "criu 4.2.1".</summary>
    public required string Engine { get; init; }
    public required string NodeId { get; init; }
    public required string Pool { get; init; }
    public required DateTimeOffset TakenAt { get; init; }
    public double? Progress { get; init; }
    public string? ProgressMessage { get; init; }
    public bool LeaveRunning { get; init; }
    public TimeSpan AppPause { get; init; }
    public TimeSpan Dump { get; init; }
    public required IReadOnlyList<ManifestFile> Files { get; init; }
    public string? Signature { get; init; }

    [JsonIgnore]
    public long TotalBytes => Files.Sum(f => f.Size);
}
