using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>The recovery saga of an incident ended, well or not.</summary>
[EventType("RecoveryFinished")]
[GenerateSerializer, Immutable]
public sealed record RecoveryFinished([property: Id(0)] string JobId, [property: Id(1)] Guid IncidentId, [property: Id(2)] bool Succeeded, [property: Id(3)] string Outcome, [property: Id(4)] DateTimeOffset At) : IJobEvent;
