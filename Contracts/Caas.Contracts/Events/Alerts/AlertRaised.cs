using Caas.Contracts.Views;

using Caas.Contracts.Alerts;

namespace Caas.Contracts.Events.Alerts;

/// <summary>A condition began: the alert is pending until <paramref name="FiresAt"/> (its kind's "for" duration after <paramref name="At"/>).</summary>
[EventType("AlertRaised")]
[GenerateSerializer, Immutable]
public sealed record AlertRaised(
    [property: Id(0)] string AlertId,
    [property: Id(1)] AlertKind Kind,
    [property: Id(2)] AlertSubject Subject,
    [property: Id(3)] string Message,
    [property: Id(4)] DateTimeOffset FiresAt,
    [property: Id(5)] DateTimeOffset At) : IAlertEvent;
