using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>The job's progress rate over its starvation window fell far below its learned baseline.</summary>
/// <param name="Rate">Progress (fraction of the job) per second over the window.</param>
/// <param name="BaselineRate">The job's own usual progress per second.</param>
/// <param name="Detail">The evidence for the cause, for people.</param>
[EventType("JobStarved")]
[GenerateSerializer, Immutable]
public sealed record JobStarved([property: Id(0)] string JobId, [property: Id(1)] Guid IncidentId, [property: Id(2)] StarvationCause Cause, [property: Id(3)] string Detail, [property: Id(4)] double Rate, [property: Id(5)] double BaselineRate, [property: Id(6)] TimeSpan Window, [property: Id(7)] DateTimeOffset At) : IJobEvent;
