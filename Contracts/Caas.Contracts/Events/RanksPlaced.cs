using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>
/// The ranks of a distributed job were given their nodes (each a different one) and their addresses on the rank fabric,
/// to be launched; a new placement, so the job's epoch moves on.
/// </summary>
[EventType("RanksPlaced")]
[GenerateSerializer, Immutable]
public sealed record RanksPlaced([property: Id(0)] string JobId, [property: Id(1)] IReadOnlyList<RankAssignment> Ranks, [property: Id(2)] DateTimeOffset At) : IJobEvent;
