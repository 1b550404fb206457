using Caas.Contracts.Alerts;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>The newest occurrence of one alert as folded from its stream; mutable, owned by <see cref="AlertLifecycle"/>.</summary>
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
}
