using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>A checkpoint was asked for; the agent has been told.</summary>
[EventType("CheckpointRequested")]
[GenerateSerializer, Immutable]
public sealed record CheckpointRequested([property: Id(0)] string JobId, [property: Id(1)] int Sequence, [property: Id(2)] bool LeaveRunning, [property: Id(3)] DateTimeOffset At) : IJobEvent;
