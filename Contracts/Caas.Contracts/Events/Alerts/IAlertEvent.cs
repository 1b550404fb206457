namespace Caas.Contracts.Events.Alerts;

/// <summary>
/// A state change of one alert, stored in the alert's own stream (<c>alert-&lt;AlertId&gt;</c>) under its
/// <see cref="EventTypeAttribute"/> name. The alert id names the subject and kind, so one stream holds every
/// occurrence of that condition: that is the deduplication and the history.
/// </summary>
public interface IAlertEvent
{
    string AlertId { get; }
    DateTimeOffset At { get; }
}
