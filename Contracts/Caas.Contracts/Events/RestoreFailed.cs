using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>A restore could not be done; the reason says why.</summary>
[EventType("RestoreFailed")]
[GenerateSerializer, Immutable]
public sealed record RestoreFailed([property: Id(0)] string JobId, [property: Id(1)] Guid IncidentId, [property: Id(2)] int Sequence, [property: Id(3)] string Reason, [property: Id(4)] DateTimeOffset At) : IJobEvent;
