using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>A verified copy of checkpoint Sequence now lies on NodeId too (a replica, or an image moved for a restore), so losing the node that took it does not lose it.</summary>
[EventType("CheckpointCopied")]
[GenerateSerializer, Immutable]
public sealed record CheckpointCopied([property: Id(0)] string JobId, [property: Id(1)] int Sequence, [property: Id(2)] string NodeId, [property: Id(3)] DateTimeOffset At) : IJobEvent;
