using Caas.Contracts.Alerts;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>Where notifications wait for delivery, durably, and what became of them.</summary>
public interface IAlertOutbox
{
    /// <summary>
    /// Queues <paramref name="notification"/> for every configured webhook, once per <paramref name="eventId"/>: queuing
    /// the same event again (a replayed decision) does nothing.
    /// </summary>
    Task EnqueueAsync(Guid eventId, AlertNotification notification, CancellationToken cancellationToken = default);

    /// <summary>Deliveries of the given alerts, keyed by (alert id, occurrence), oldest first.</summary>
    Task<IReadOnlyDictionary<(string AlertId, int Occurrence), IReadOnlyList<AlertDelivery>>> ListAsync(IReadOnlyCollection<string> alertIds, CancellationToken cancellationToken = default);
}
