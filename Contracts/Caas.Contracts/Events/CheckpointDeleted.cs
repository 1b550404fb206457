using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>The agent deleted the checkpoint's bundle: it can no longer be restored.</summary>
[EventType("CheckpointDeleted")]
[GenerateSerializer, Immutable]
public sealed record CheckpointDeleted([property: Id(0)] string JobId, [property: Id(1)] int Sequence, [property: Id(2)] string NodeId, [property: Id(3)] CheckpointRemoval Removal, [property: Id(4)] string Reason, [property: Id(5)] DateTimeOffset At) : IJobEvent;
