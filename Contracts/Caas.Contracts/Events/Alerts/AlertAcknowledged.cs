namespace Caas.Contracts.Events.Alerts;

/// <summary>An operator took the alert on; it stays (acknowledged) until its condition ends.</summary>
[EventType("AlertAcknowledged")]
[GenerateSerializer, Immutable]
public sealed record AlertAcknowledged([property: Id(0)] string AlertId, [property: Id(1)] string By, [property: Id(2)] string? Comment, [property: Id(3)] DateTimeOffset At) : IAlertEvent;
