using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>Someone asked for the job to be killed.</summary>
[EventType("KillRequested")]
[GenerateSerializer, Immutable]
public sealed record KillRequested([property: Id(0)] string JobId, [property: Id(1)] string Reason, [property: Id(2)] DateTimeOffset At) : IJobEvent;
