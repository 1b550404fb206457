namespace Caas.Contracts.Jobs;

/// <summary>A checkpoint image of a job as recorded in its manifest.</summary>
[GenerateSerializer, Immutable]
public sealed record CheckpointInfo
{
    [Id(0)] public required int Sequence { get; init; }
    [Id(1)] public required string NodeId { get; init; }
    [Id(2)] public DateTimeOffset TakenAt { get; init; }
    /// <summary>The job's reported progress when its image was taken; null if it never reported.</summary>
    [Id(3)] public double? Progress { get; init; }
    [Id(4)] public long SizeBytes { get; init; }
    /// <summary>Request to image on disk.</summary>
    [Id(5)] public TimeSpan Duration { get; init; }
    /// <summary>How long the job was frozen.</summary>
    [Id(6)] public TimeSpan AppPause { get; init; }
    [Id(7)] public bool LeaveRunning { get; init; }
    /// <summary>Engine and version that wrote it, e.g. "criu 4.2.1".</summary>
    [Id(8)] public string Engine { get; init; } = "";
    /// <summary>The checkpoint this one was taken against (an incremental image needs it to restore); null for a full one.</summary>
    [Id(9)] public int? ParentSequence { get; init; }
    /// <summary>The pool of the node that holds the image.</summary>
    [Id(10)] public string? Pool { get; init; }
    /// <summary>How long the engine's dump took (CRIU from freeze to image written), inside <see cref="Duration"/>.</summary>
    [Id(100)] public TimeSpan Dump { get; init; }
    /// <summary>The CPU flags of the node that took the image (its manifest's): a node restoring it must have them all. Empty when not recorded.</summary>
    [Id(101)] public IReadOnlyList<string> CpuFlags { get; init; } = [];
    /// <summary>
    /// For a coordinated checkpoint of a distributed job, every rank's share (one signed bundle per rank, on the rank's
    /// node): the checkpoint is one entry with its ranks. Empty for an ordinary job.
    /// </summary>
    [Id(180)] public IReadOnlyList<RankCheckpoint> Ranks { get; init; } = [];
}
