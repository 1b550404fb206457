using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>The agent launched the job; Pid is the host PID of its root process.</summary>
[EventType("JobStarted")]
[GenerateSerializer, Immutable]
public sealed record JobStarted([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] int Pid, [property: Id(3)] DateTimeOffset At) : IJobEvent;
