using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>The agent could not launch the job (e.g. the executable does not exist).</summary>
[EventType("JobStartFailed")]
[GenerateSerializer, Immutable]
public sealed record JobStartFailed([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] string Reason, [property: Id(3)] DateTimeOffset At) : IJobEvent;
