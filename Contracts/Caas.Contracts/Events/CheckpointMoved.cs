namespace Caas.Contracts.Events;

/// <summary>Checkpoint Sequence was copied from one node's agent to another's and verified there; BytesMoved is what crossed the network.</summary>
[EventType("CheckpointMoved")]
[GenerateSerializer, Immutable]
public sealed record CheckpointMoved(
    [property: Id(0)] string JobId,
    [property: Id(1)] Guid TransferId,
    [property: Id(2)] int Sequence,
    [property: Id(3)] string SourceNodeId,
    [property: Id(4)] string TargetNodeId,
    [property: Id(5)] long BytesMoved,
    [property: Id(6)] TimeSpan Duration,
    [property: Id(7)] DateTimeOffset At) : IJobEvent;
