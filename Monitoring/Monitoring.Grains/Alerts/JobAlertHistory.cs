using Caas.Contracts.Events.Alerts;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Caas.Monitoring.EventStore;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>
/// A job's alerts with its whole history: the open ones from <see cref="AlertLifecycle"/>, then every resolved occurrence
/// folded again from the job's own alert streams ("alert-{kind}-{job}", at most one per kind). Those streams are the
/// per-job index of the history, so it is complete however many alerts the rest of the fleet resolved meanwhile (the
/// lifecycle keeps only the newest <see cref="AlertLifecycle.ResolvedKept"/> for the fleet-wide list), and nothing
/// more is kept in memory or in the projection's checkpoint for it.
/// </summary>
public sealed class JobAlertHistory(IEventStore store, EventSerializer serializer, AlertLifecycle lifecycle)
{
    private const int ReadBatch = 1000;

    /// <summary>The open alerts newest first, then the resolved ones most recently resolved first; the page may run across both.</summary>
    public async Task<Page<AlertView>> ListAsync(string jobId, int skip, int take, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var (open, streams) = lifecycle.AlertsOf(jobId, now);
        var resolved = new List<AlertView>();
        foreach (var (alertId, version) in streams)
            resolved.AddRange(await ResolvedOccurrencesAsync(alertId, version, cancellationToken));
        resolved.Sort((a, b) => b.ResolvedAt != a.ResolvedAt
            ? Nullable.Compare(b.ResolvedAt, a.ResolvedAt)
            : string.CompareOrdinal(a.Id, b.Id) is var byId and not 0 ? byId : b.Occurrence.CompareTo(a.Occurrence));
        var items = open.Concat(resolved).Skip(skip).Take(take).ToArray();
        return new Page<AlertView>(items, open.Count + resolved.Count, skip, take);
    }

    /// <summary>The stream's resolved occurrences, read up to <paramref name="upToVersion"/> (what the lifecycle has folded).</summary>
    private async Task<List<AlertView>> ResolvedOccurrencesAsync(string alertId, long upToVersion, CancellationToken cancellationToken)
    {
        var alert = new TrackedAlert(alertId);
        var resolved = new List<AlertView>();
        for (var from = 0L; from <= upToVersion;)
        {
            var batch = await store.ReadStreamAsync(AlertLifecycle.AlertStreamPrefix + alertId, from, (int)Math.Min(ReadBatch, upToVersion - from + 1), cancellationToken);
            if (batch.Count == 0)
                break;
            foreach (var recorded in batch)
            {
                if (serializer.DeserializeAny(recorded) is not IAlertEvent alertEvent)
                    continue;
                alert.Apply(alertEvent);
                if (alertEvent is AlertResolved)
                    resolved.Add(alert.ToView([], null));
                else if (alertEvent is AlertReopened)
                    resolved.RemoveAll(a => a.Occurrence == alert.Occurrence);
            }
            from = batch[^1].Version + 1;
        }
        return resolved;
    }
}
