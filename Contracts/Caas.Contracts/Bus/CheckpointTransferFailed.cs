namespace Caas.Contracts.Bus;

/// <summary>Source or target agent report: the checkpoint did not move, and the target kept nothing of it. NodeId says which agent gave up.</summary>
[GenerateSerializer, Immutable]
public sealed record CheckpointTransferFailed(
    [property: Id(0)] Guid TransferId,
    [property: Id(1)] string JobId,
    [property: Id(2)] int Sequence,
    [property: Id(3)] string SourceNodeId,
    [property: Id(4)] string TargetNodeId,
    [property: Id(5)] string NodeId,
    [property: Id(6)] string Reason,
    [property: Id(7)] DateTimeOffset At);
