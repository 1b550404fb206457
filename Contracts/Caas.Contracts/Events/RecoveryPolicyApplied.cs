using Caas.Contracts.Policies;

namespace Caas.Contracts.Events;

/// <summary>The job's recovery policy answered an incident (stall, starvation, failure, node lost): what it decided and why.</summary>
[EventType("RecoveryPolicyApplied")]
[GenerateSerializer, Immutable]
public sealed record RecoveryPolicyApplied([property: Id(0)] string JobId, [property: Id(1)] Guid IncidentId, [property: Id(2)] PolicyDecision Decision, [property: Id(3)] DateTimeOffset At) : IJobEvent;
