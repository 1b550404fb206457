using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>The job's root process ended: with ExitCode, or killed by Signal.</summary>
[EventType("JobExited")]
[GenerateSerializer, Immutable]
public sealed record JobExited([property: Id(0)] string JobId, [property: Id(1)] int? ExitCode, [property: Id(2)] int? Signal, [property: Id(3)] string Reason, [property: Id(4)] DateTimeOffset At) : IJobEvent;
