namespace Caas.Contracts.Events.Alerts;

/// <summary>
/// A resolved alert's condition came back within the flap window: the same alert fires again, without a new
/// notification, so a flapping job does not page anyone twice.
/// </summary>
[EventType("AlertReopened")]
[GenerateSerializer, Immutable]
public sealed record AlertReopened([property: Id(0)] string AlertId, [property: Id(1)] string Message, [property: Id(2)] DateTimeOffset At) : IAlertEvent;
