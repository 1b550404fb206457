using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>A user submitted the job; the spec was valid.</summary>
[EventType("JobSubmitted")]
[GenerateSerializer, Immutable]
public sealed record JobSubmitted([property: Id(0)] string JobId, [property: Id(1)] JobSpec Spec, [property: Id(2)] DateTimeOffset At) : IJobEvent;
