using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>The JSON body a webhook receives when an alert fires (<c>status</c> "firing") or resolves ("resolved").</summary>
public sealed record AlertNotification(
    string AlertId,
    string Status,
    AlertKind Kind,
    string SubjectId,
    string SubjectName,
    string? Node,
    string? Pool,
    string Message,
    int Occurrence,
    DateTimeOffset RaisedAt,
    DateTimeOffset At)
{
    public const string Firing = "firing";
    public const string Resolved = "resolved";
}
