namespace Caas.Contracts.Events;

/// <summary>Someone asked for a test restore of the checkpoint; the agent holding it has been told.</summary>
[EventType("CheckpointVerificationRequested")]
[GenerateSerializer, Immutable]
public sealed record CheckpointVerificationRequested([property: Id(0)] string JobId, [property: Id(1)] int Sequence, [property: Id(2)] DateTimeOffset At) : IJobEvent;
