namespace Caas.Contracts.Events;

/// <summary>A test restore of the checkpoint came to life in a throw-away copy: the image is known to restore.</summary>
[EventType("CheckpointVerified")]
[GenerateSerializer, Immutable]
public sealed record CheckpointVerified([property: Id(0)] string JobId, [property: Id(1)] int Sequence, [property: Id(2)] string NodeId, [property: Id(3)] DateTimeOffset At) : IJobEvent;
