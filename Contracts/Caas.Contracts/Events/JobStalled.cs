using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>No progress for longer than the stall threshold.</summary>
/// <param name="Ranks">For a distributed job, the ranks that stalled it (silent for the threshold, or stopped); null for an ordinary job.</param>
[EventType("JobStalled")]
[GenerateSerializer, Immutable]
public sealed record JobStalled([property: Id(0)] string JobId, [property: Id(1)] Guid IncidentId, [property: Id(2)] DateTimeOffset LastProgressAt, [property: Id(3)] TimeSpan Threshold, [property: Id(4)] DateTimeOffset At,
    [property: Id(240)] IReadOnlyList<RankStall>? Ranks = null) : IJobEvent;
