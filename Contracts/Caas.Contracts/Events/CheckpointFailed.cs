using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>A checkpoint could not be taken; the job runs on.</summary>
[EventType("CheckpointFailed")]
[GenerateSerializer, Immutable]
public sealed record CheckpointFailed([property: Id(0)] string JobId, [property: Id(1)] int Sequence, [property: Id(2)] string Reason, [property: Id(3)] DateTimeOffset At) : IJobEvent;
