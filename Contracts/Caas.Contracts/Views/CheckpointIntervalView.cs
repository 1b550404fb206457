namespace Caas.Contracts.Views;

/// <summary>
/// The periodic checkpoint interval in force for a job and why, e.g.
/// "adaptive: C=0.4 s, M=6 h → 2.2 min, bounded to ≥ 5 min". Interval is null when periodic checkpoints are off.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CheckpointIntervalView
{
    [Id(0)] public TimeSpan? Interval { get; init; }
    [Id(1)] public required string Explanation { get; init; }
    /// <summary>When the next periodic checkpoint falls due, for a running job.</summary>
    [Id(2)] public DateTimeOffset? NextDueAt { get; init; }
    /// <summary>The measured checkpoint cost C (adaptive mode), when known.</summary>
    [Id(3)] public TimeSpan? CheckpointCost { get; init; }
    /// <summary>The pool's mean time between node failures M (adaptive mode), observed or assumed.</summary>
    [Id(4)] public TimeSpan? MeanTimeBetweenFailures { get; init; }
}
