using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>The job reported a new progress value (fraction 0..1).</summary>
[EventType("ProgressReported")]
[GenerateSerializer, Immutable]
public sealed record ProgressReported([property: Id(0)] string JobId, [property: Id(1)] double Progress, [property: Id(2)] string? Message, [property: Id(3)] DateTimeOffset At) : IJobEvent;
