using Caas.Contracts.Jobs;

namespace Caas.Contracts.Views;

/// <summary>Everything the job page shows about one job, as of its stream's Version.</summary>
[GenerateSerializer, Immutable]
public sealed record JobView
{
    [Id(0)] public required string JobId { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public required JobSpec Spec { get; init; }
    [Id(3)] public JobStatus Status { get; init; }
    /// <summary>Why the job is Failed or Stopped, or what it waits for.</summary>
    [Id(4)] public string? StatusReason { get; init; }
    [Id(5)] public string? NodeId { get; init; }
    [Id(6)] public int? Pid { get; init; }
    [Id(7)] public double? Progress { get; init; }
    [Id(8)] public string? ProgressMessage { get; init; }
    [Id(9)] public double CpuSeconds { get; init; }
    [Id(10)] public long RssBytes { get; init; }
    [Id(11)] public DateTimeOffset SubmittedAt { get; init; }
    [Id(12)] public DateTimeOffset? LastHeartbeatAt { get; init; }
    [Id(13)] public DateTimeOffset? LastProgressAt { get; init; }
    [Id(14)] public IReadOnlyList<CheckpointInfo> Checkpoints { get; init; } = [];
    /// <summary>True from a stall until the job makes progress again or is restored.</summary>
    [Id(15)] public bool Stalled { get; init; }
    /// <summary>A checkpoint requested and not yet completed or failed.</summary>
    [Id(16)] public int? PendingCheckpoint { get; init; }
    [Id(17)] public int? ExitCode { get; init; }
    [Id(18)] public int? ExitSignal { get; init; }
    /// <summary>Number of events in the job's stream.</summary>
    [Id(19)] public long Version { get; init; }
    /// <summary>The periodic checkpoint interval in force and why; null where the grain did not compute it (read models).</summary>
    [Id(50)] public CheckpointIntervalView? CheckpointInterval { get; init; }
    /// <summary>The recovery policy in force; null where the grain did not resolve it.</summary>
    [Id(51)] public JobPolicyView? Policy { get; init; }
    /// <summary>Stopped by a checkpoint that stopped it (suspended to storage): resuming restores it from that checkpoint.</summary>
    [Id(80)] public bool Suspended { get; init; }
    /// <summary>Stopped by a checkpoint because a job of higher priority took its slot; it swaps back in when a slot frees (StatusReason says why).</summary>
    [Id(150)] public bool SwappedOut { get; init; }
    /// <summary>The job that took its slot, while <see cref="SwappedOut"/>.</summary>
    [Id(151)] public string? SwappedOutFor { get; init; }
    /// <summary>A distributed job's ranks (rank, node, address, state); empty for an ordinary job.</summary>
    [Id(180)] public IReadOnlyList<RankView> Ranks { get; init; } = [];
}
