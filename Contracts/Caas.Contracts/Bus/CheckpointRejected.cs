using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Agent report: the checkpoint failed; the job keeps running if it was.</summary>
[GenerateSerializer, Immutable]
public sealed record CheckpointRejected([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] int Sequence, [property: Id(3)] string Reason, [property: Id(4)] DateTimeOffset At);
