namespace Caas.Contracts.Events;

/// <summary>A starved job is back near its usual pace.</summary>
[EventType("JobStarvationEnded")]
[GenerateSerializer, Immutable]
public sealed record JobStarvationEnded([property: Id(0)] string JobId, [property: Id(1)] Guid IncidentId, [property: Id(2)] double Rate, [property: Id(3)] DateTimeOffset At) : IJobEvent;
