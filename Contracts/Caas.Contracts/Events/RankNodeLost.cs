namespace Caas.Contracts.Events;

/// <summary>The node of a rank of a distributed job was declared lost: the rank, and so the whole job, is lost.</summary>
[EventType("RankNodeLost")]
[GenerateSerializer, Immutable]
public sealed record RankNodeLost([property: Id(0)] string JobId, [property: Id(1)] int Rank, [property: Id(2)] string NodeId,
    [property: Id(3)] DateTimeOffset LostAt, [property: Id(4)] DateTimeOffset At) : IJobEvent;
