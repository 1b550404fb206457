namespace Caas.Contracts.Bus;

/// <summary>
/// Command to the agent of SourceNodeId: let TargetNodeId fetch checkpoint Sequence of the job (and the
/// checkpoints it was taken after). The source answers by sending <see cref="FetchCheckpoint"/> to the
/// target, or publishes <see cref="CheckpointTransferFailed"/>. TransferId correlates every report.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TransferCheckpoint(
    [property: Id(0)] string JobId,
    [property: Id(1)] int Sequence,
    [property: Id(2)] string SourceNodeId,
    [property: Id(3)] string TargetNodeId,
    [property: Id(4)] Guid TransferId);
