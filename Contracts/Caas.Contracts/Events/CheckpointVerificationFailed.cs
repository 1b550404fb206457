namespace Caas.Contracts.Events;

/// <summary>The checkpoint's bundle was refused or its test restore did not come to life; Reason says which and why.</summary>
[EventType("CheckpointVerificationFailed")]
[GenerateSerializer, Immutable]
public sealed record CheckpointVerificationFailed([property: Id(0)] string JobId, [property: Id(1)] int Sequence, [property: Id(2)] string NodeId, [property: Id(3)] string Reason, [property: Id(4)] DateTimeOffset At) : IJobEvent;
