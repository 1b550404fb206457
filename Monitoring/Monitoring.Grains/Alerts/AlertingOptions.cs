using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>Settings under <c>Caas:Alerts</c>.</summary>
public sealed class AlertingOptions
{
    public const string SectionName = "Caas:Alerts";

    /// <summary>
    /// How long a condition must hold before its alert fires, per kind. Failures fire at once (they do not heal by
    /// themselves); a stall waits a little, because the stall detector already waited its threshold and a job that
    /// moves again within seconds should not page anyone.
    /// </summary>
    public Dictionary<AlertKind, TimeSpan> For { get; set; } = new()
    {
        [AlertKind.Stalled] = TimeSpan.FromSeconds(2),
        [AlertKind.Starved] = TimeSpan.FromSeconds(30),
    };

    /// <summary>An alert that fires again within this time after it resolved is the same alert, reopened and not notified again.</summary>
    public TimeSpan FlapWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Where notifications go; empty: nowhere.</summary>
    public List<WebhookTarget> Webhooks { get; set; } = [];

    public TimeSpan ForOf(AlertKind kind) => For.TryGetValue(kind, out var duration) && duration > TimeSpan.Zero ? duration : TimeSpan.Zero;
}
