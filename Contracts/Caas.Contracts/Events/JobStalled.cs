using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>No progress for longer than the stall threshold.</summary>
[EventType("JobStalled")]
[GenerateSerializer, Immutable]
public sealed record JobStalled([property: Id(0)] string JobId, [property: Id(1)] Guid IncidentId, [property: Id(2)] DateTimeOffset LastProgressAt, [property: Id(3)] TimeSpan Threshold, [property: Id(4)] DateTimeOffset At) : IJobEvent;
