namespace Caas.Contracts.Bus;

/// <summary>Target agent report: the checkpoint (and any parent it lacked) is verified in the target's checkpoint directory. BytesMoved counts what crossed the network, resumed requests included.</summary>
[GenerateSerializer, Immutable]
public sealed record CheckpointTransferred(
    [property: Id(0)] Guid TransferId,
    [property: Id(1)] string JobId,
    [property: Id(2)] int Sequence,
    [property: Id(3)] string SourceNodeId,
    [property: Id(4)] string TargetNodeId,
    [property: Id(5)] long BytesMoved,
    [property: Id(6)] TimeSpan Duration,
    [property: Id(7)] DateTimeOffset At);
