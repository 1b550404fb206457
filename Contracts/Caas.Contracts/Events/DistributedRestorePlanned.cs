using Caas.Contracts.Policies;

namespace Caas.Contracts.Events;

/// <summary>
/// A distributed job stalled and its policy (Decision) restores it: every rank is being stopped, and once they all are,
/// the job's coordinated checkpoint Sequence is restored for incident IncidentId. Recorded before the ranks are told to
/// stop, so a host that dies in between carries the restore out when the job's grain wakes again.
/// </summary>
[EventType("DistributedRestorePlanned")]
[GenerateSerializer, Immutable]
public sealed record DistributedRestorePlanned([property: Id(0)] string JobId, [property: Id(1)] Guid IncidentId, [property: Id(2)] int Sequence,
    [property: Id(3)] PolicyDecision Decision, [property: Id(4)] string Reason, [property: Id(5)] DateTimeOffset At) : IJobEvent;
