namespace Caas.Contracts.Bus;

/// <summary>Target agent report while it pulls a checkpoint, at most about once a second. BytesTotal grows when a parent checkpoint has to come too.</summary>
[GenerateSerializer, Immutable]
public sealed record CheckpointTransferProgress(
    [property: Id(0)] Guid TransferId,
    [property: Id(1)] string JobId,
    [property: Id(2)] int Sequence,
    [property: Id(3)] string TargetNodeId,
    [property: Id(4)] long BytesDone,
    [property: Id(5)] long BytesTotal,
    [property: Id(6)] double BytesPerSecond,
    [property: Id(7)] DateTimeOffset At);
