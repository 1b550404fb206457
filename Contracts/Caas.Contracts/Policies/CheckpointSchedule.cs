using System.Text.Json.Serialization;

namespace Caas.Contracts.Policies;

/// <summary>
/// Periodic checkpoints that leave the job running, so a node failure costs at most one interval of work.
/// Adaptive uses the Young/Daly interval √(2·C·M): C the job's measured checkpoint cost, M the pool's observed mean time
/// between node failures (<see cref="AssumedMtbfSeconds"/> until a failure is seen), bounded to [min, max].
/// </summary>
// A misspelt field in a policy file must be an error, not a setting silently left at its default.
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
[GenerateSerializer, Immutable]
public sealed record CheckpointSchedule
{
    [Id(0)] public CheckpointMode Mode { get; init; } = CheckpointMode.Off;
    /// <summary>The interval in Fixed mode.</summary>
    [Id(1)] public double IntervalSeconds { get; init; } = 600;
    [Id(2)] public double MinIntervalSeconds { get; init; } = 60;
    [Id(3)] public double MaxIntervalSeconds { get; init; } = 3600;
    /// <summary>M for a pool that has not lost a node yet.</summary>
    [Id(4)] public double AssumedMtbfSeconds { get; init; } = 24 * 3600;
}

public enum CheckpointMode
{
    Off = 0,
    Fixed = 1,
    Adaptive = 2,
}
