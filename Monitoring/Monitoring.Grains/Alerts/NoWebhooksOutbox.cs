using Caas.Contracts.Alerts;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>The outbox of a host without webhook delivery (tests, hosts that only watch): notifications go nowhere.</summary>
public sealed class NoWebhooksOutbox : IAlertOutbox
{
    public Task EnqueueAsync(Guid eventId, AlertNotification notification, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyDictionary<(string AlertId, int Occurrence), IReadOnlyList<AlertDelivery>>> ListAsync(IReadOnlyCollection<string> alertIds, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<(string, int), IReadOnlyList<AlertDelivery>>>(new Dictionary<(string, int), IReadOnlyList<AlertDelivery>>());
}
