using Caas.Contracts.Alerts;
using Caas.Contracts.Events.Alerts;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>
/// The newest occurrence of one alert as folded from its stream; mutable, owned by <see cref="AlertLifecycle"/> (or by
/// <see cref="JobAlertHistory"/> while it reads a stream again).
/// </summary>
internal sealed class TrackedAlert(string id)
{
    public string Id { get; } = id;
    public long Version { get; set; } = -1;
    public AlertKind Kind { get; set; }
    public AlertSubject Subject { get; set; } = new("", "", null, null);
    public string Message { get; set; } = "";
    public AlertState State { get; set; }
    public DateTimeOffset RaisedAt { get; set; }
    public DateTimeOffset FiresAt { get; set; }
    public DateTimeOffset? FiredAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? AcknowledgedBy { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public string? AcknowledgeComment { get; set; }
    public int Occurrence { get; set; }
    public int Reopened { get; set; }
    /// <summary>Its firing was notified (not silenced then), so its resolution is notified too.</summary>
    public bool NotifiedFiring { get; set; }

    /// <summary>
    /// Moves the occurrence on by one of its stream's events. What an event means for notifications and for the lists of
    /// resolved occurrences is the caller's to decide.
    /// </summary>
    public void Apply(IAlertEvent alertEvent)
    {
        switch (alertEvent)
        {
            case AlertRaised raised:
                Occurrence++;
                Kind = raised.Kind;
                Subject = raised.Subject;
                Message = raised.Message;
                RaisedAt = raised.At;
                FiresAt = raised.FiresAt;
                State = AlertState.Pending;
                FiredAt = ResolvedAt = AcknowledgedAt = null;
                AcknowledgedBy = AcknowledgeComment = null;
                Reopened = 0;
                NotifiedFiring = false;
                break;
            case AlertFired fired:
                State = AlertState.Firing;
                FiredAt = fired.At;
                break;
            case AlertReopened reopened:
                State = AlertState.Firing;
                Message = reopened.Message;
                ResolvedAt = AcknowledgedAt = null;
                AcknowledgedBy = AcknowledgeComment = null;
                Reopened++;
                break;
            case AlertAcknowledged acknowledged:
                State = AlertState.Acknowledged;
                AcknowledgedBy = acknowledged.By;
                AcknowledgedAt = acknowledged.At;
                AcknowledgeComment = acknowledged.Comment;
                break;
            case AlertResolved resolved:
                State = AlertState.Resolved;
                ResolvedAt = resolved.At;
                break;
        }
    }

    /// <summary>The occurrence as people see it; silences and inhibition are the lifecycle's to know (none once resolved).</summary>
    public AlertView ToView(IReadOnlyList<string> silencedBy, string? inhibitedBy) => new()
    {
        Id = Id,
        JobId = Subject.Id,
        JobName = Subject.Name,
        Node = Subject.Node,
        Pool = Subject.Pool,
        Kind = Kind,
        Message = Message,
        State = State,
        RaisedAt = RaisedAt,
        FiredAt = FiredAt,
        ResolvedAt = ResolvedAt,
        AcknowledgedBy = AcknowledgedBy,
        AcknowledgedAt = AcknowledgedAt,
        AcknowledgeComment = AcknowledgeComment,
        Occurrence = Occurrence,
        Reopened = Reopened,
        SilencedBy = silencedBy,
        InhibitedBy = inhibitedBy,
    };
}
