using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Agent report: the checkpoint image is complete and its manifest written.</summary>
[GenerateSerializer, Immutable]
public sealed record CheckpointCompleted([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] CheckpointInfo Checkpoint, [property: Id(3)] DateTimeOffset At);
