using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>The agent wrote a complete checkpoint image.</summary>
[EventType("CheckpointTaken")]
[GenerateSerializer, Immutable]
public sealed record CheckpointTaken([property: Id(0)] string JobId, [property: Id(1)] CheckpointInfo Checkpoint, [property: Id(2)] DateTimeOffset At) : IJobEvent;
