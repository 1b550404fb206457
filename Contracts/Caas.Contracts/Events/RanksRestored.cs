using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>
/// Every rank of a distributed job was restored from coordinated checkpoint <paramref name="Sequence"/> on the node
/// <paramref name="Ranks"/> names, each at its own address, under restore incident <paramref name="IncidentId"/>.
/// </summary>
[EventType("RanksRestored")]
[GenerateSerializer, Immutable]
public sealed record RanksRestored([property: Id(0)] string JobId, [property: Id(1)] Guid IncidentId, [property: Id(2)] int Sequence,
    [property: Id(3)] IReadOnlyList<RankAssignment> Ranks, [property: Id(4)] DateTimeOffset At) : IJobEvent;
