namespace Caas.Contracts.Events.Alerts;

/// <summary>The condition ended (progress again, a restore, the job ended).</summary>
[EventType("AlertResolved")]
[GenerateSerializer, Immutable]
public sealed record AlertResolved([property: Id(0)] string AlertId, [property: Id(1)] DateTimeOffset At) : IAlertEvent;
