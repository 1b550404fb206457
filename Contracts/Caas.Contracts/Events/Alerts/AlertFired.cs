namespace Caas.Contracts.Events.Alerts;

/// <summary>A pending alert's condition held for its "for" duration: it fires and is notified (unless silenced or inhibited).</summary>
[EventType("AlertFired")]
[GenerateSerializer, Immutable]
public sealed record AlertFired([property: Id(0)] string AlertId, [property: Id(1)] DateTimeOffset At) : IAlertEvent;
