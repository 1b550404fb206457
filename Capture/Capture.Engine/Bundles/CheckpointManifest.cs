using System.Text.Json.Serialization;

namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// manifest.json of a checkpoint bundle: what the image is and a checksum of every file in it.
/// Signature is the HMAC over everything else (see <see cref="HmacManifestSigner"/>).
/// </summary>
public sealed record CheckpointManifest
{
    /// <summary>
    /// 2: signed, with the CPU of the node that took the image. 3: per-chunk SHA-256 instead of one per file.
    /// 4: files may be encoded images (zstd, page deltas against the parent, see <see cref="ManifestFile.Image"/>)
    /// and an incremental bundle names its parent's manifest digest. 5: a chunk's hash is the SHA-256 of its 4 KiB blocks'
    /// SHA-256 (see <see cref="ChunkDigest"/>), so that a page image is hashed once for both the manifest and the page index.
    /// </summary>
    public const int CurrentFormat = 5;
    /// <summary>Format 3 bundles hold every image as written, format 4 ones hash chunks whole; both still verify and restore.</summary>
    public const int OldestReadableFormat = 3;

    /// <summary>The chunk size the agent writes: a 1 GiB image is 16 chunks, enough to keep every core hashing.</summary>
    public const int DefaultChunkBytes = 64 << 20;
    /// <summary>The smallest chunk size a verifier accepts, so that a manifest cannot ask for millions of hashes per GiB.</summary>
    public const int MinChunkBytes = 4 << 10;
    public const int MaxChunkBytes = 1 << 30;

    public int Format { get; init; } = CurrentFormat;
    public required string JobId { get; init; }
    public required int Sequence { get; init; }
    /// <summary>The checkpoint this one was taken after, for dedup against it; null for a full image.</summary>
    public int? ParentSequence { get; init; }
    /// <summary>
    /// Format 4, incremental bundles only: "sha256:" and the hex SHA-256 of the parent's manifest.json as stored (signature
    /// included), so that a bundle cannot be spliced onto another parent with the same sequence. Left out of the JSON
    /// when null, so that format 3 manifests keep the canonical bytes they were signed with.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ParentDigest { get; init; }
    /// <summary>Engine and version, e.g. "criu 4.2.1".</summary>
    public required string Engine { get; init; }
    public required string NodeId { get; init; }
    public required string Pool { get; init; }
    /// <summary>The CPU model of the node that took the image, for people reading a refusal.</summary>
    public required string CpuModel { get; init; }
    /// <summary>The CPU flags of that node (sorted): a target must have all of them (see <see cref="Cpu.RestoreCompatibility"/>).</summary>
    public required IReadOnlyList<string> CpuFlags { get; init; }
    public required DateTimeOffset TakenAt { get; init; }
    public double? Progress { get; init; }
    public string? ProgressMessage { get; init; }
    public bool LeaveRunning { get; init; }
    public TimeSpan AppPause { get; init; }
    public TimeSpan Dump { get; init; }
    /// <summary>
    /// The job's working directory when its files are carried under <see cref="WorkingDirectoryFiles.BundleDirectoryName"/>/
    /// (the agent's job directory); a restore writes them back there. Left out of the JSON when null, so manifests without
    /// it keep the canonical bytes they were signed with.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WorkingDirectory { get; init; }
    /// <summary>
    /// The permission bits (no setuid, setgid or sticky) of each carried file, by its path under the working directory, in
    /// ordinal order: CRIU checks a reopened file's mode. Left out of the JSON when null.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, int>? WorkingDirectoryModes { get; init; }
    /// <summary>
    /// For one rank's share of a coordinated checkpoint of a distributed job: the rank. Left out of the JSON when null,
    /// so manifests of ordinary jobs keep the canonical bytes they were signed with.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Rank { get; init; }
    /// <summary>
    /// The rank's address on the rank fabric when it was dumped: its established connections are bound to it, so a restore
    /// (on any node) must give the rank's fresh namespace this address. Signed with the rest; null for ordinary jobs.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RankAddress { get; init; }
    /// <summary>The size of the chunks each file's <see cref="ManifestFile.Chunks"/> hashes; set when the bundle is sealed.</summary>
    public int ChunkBytes { get; init; } = DefaultChunkBytes;
    public required IReadOnlyList<ManifestFile> Files { get; init; }
    public string? Signature { get; init; }

    [JsonIgnore]
    public long TotalBytes => Files.Sum(f => f.Size);
}
