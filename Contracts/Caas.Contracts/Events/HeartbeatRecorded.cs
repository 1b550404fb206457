using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>One sample of the running job from its node agent.</summary>
[EventType("HeartbeatRecorded")]
[GenerateSerializer, Immutable]
public sealed record HeartbeatRecorded([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] JobSample Sample, [property: Id(3)] DateTimeOffset At) : IJobEvent;
