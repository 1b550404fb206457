namespace Caas.Contracts.Events;

/// <summary>The node the job ran on was declared lost (no heartbeat past its timeout); the job's policy answers it.</summary>
[EventType("JobNodeLost")]
[GenerateSerializer, Immutable]
public sealed record JobNodeLost([property: Id(0)] string JobId, [property: Id(1)] Guid IncidentId, [property: Id(2)] string NodeId, [property: Id(3)] DateTimeOffset At) : IJobEvent;
