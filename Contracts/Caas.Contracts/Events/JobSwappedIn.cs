namespace Caas.Contracts.Events;

/// <summary>A swapped-out job got a free slot on NodeId: recovery restores it there from checkpoint Sequence under IncidentId.</summary>
[EventType("JobSwappedIn")]
[GenerateSerializer, Immutable]
public sealed record JobSwappedIn([property: Id(0)] string JobId, [property: Id(1)] Guid IncidentId, [property: Id(2)] int Sequence, [property: Id(3)] string NodeId, [property: Id(4)] DateTimeOffset At) : IJobEvent;
