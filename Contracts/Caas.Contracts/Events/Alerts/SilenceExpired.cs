namespace Caas.Contracts.Events.Alerts;

/// <summary>Someone ended a silence before its time.</summary>
[EventType("SilenceExpired")]
[GenerateSerializer, Immutable]
public sealed record SilenceExpired([property: Id(0)] string SilenceId, [property: Id(1)] string By, [property: Id(2)] DateTimeOffset At) : ISilenceEvent;
