using System.Collections.Concurrent;
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
/// more is kept in the projection's checkpoint for it; in memory only the folds of streams recently asked for.
/// </summary>
public sealed class JobAlertHistory(IEventStore store, EventSerializer serializer, AlertLifecycle lifecycle)
{
    private const int ReadBatch = 1000;
    /// <summary>Alert streams whose fold is kept; past it they are all forgotten and folded again when asked for.</summary>
    private const int MaxStreamsKept = 4096;

    private readonly ConcurrentDictionary<string, FoldedStream> _folded = new(StringComparer.Ordinal);

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

    /// <summary>
    /// The stream's resolved occurrences, read up to <paramref name="upToVersion"/> (what the lifecycle has folded). A job's
    /// page asks every second, so what was folded is kept per stream and only newer events are read the next time.
    /// </summary>
    private async Task<List<AlertView>> ResolvedOccurrencesAsync(string alertId, long upToVersion, CancellationToken cancellationToken)
    {
        if (_folded.Count >= MaxStreamsKept)
            _folded.Clear();
        var kept = _folded.GetOrAdd(alertId, id => new FoldedStream(id));
        await kept.Gate.WaitAsync(cancellationToken);
        try
        {
            // Kept further than the lifecycle has got (its read model is being rebuilt): fold afresh, without keeping it.
            var folded = kept.Alert.Version > upToVersion ? new FoldedStream(alertId) : kept;
            await FoldAsync(folded, upToVersion, cancellationToken);
            return [.. folded.Resolved];
        }
        finally
        {
            kept.Gate.Release();
        }
    }

    private async Task FoldAsync(FoldedStream folded, long upToVersion, CancellationToken cancellationToken)
    {
        var alert = folded.Alert;
        while (alert.Version < upToVersion)
        {
            var from = alert.Version + 1;
            var batch = await store.ReadStreamAsync(AlertLifecycle.AlertStreamPrefix + alert.Id, from, (int)Math.Min(ReadBatch, upToVersion - from + 1), cancellationToken);
            if (batch.Count == 0)
                return;
            foreach (var recorded in batch)
            {
                alert.Version = recorded.Version;
                if (serializer.DeserializeAny(recorded) is not IAlertEvent alertEvent)
                    continue;
                alert.Apply(alertEvent);
                if (alertEvent is AlertResolved)
                    folded.Resolved.Add(alert.ToView([], null));
                else if (alertEvent is AlertReopened)
                    folded.Resolved.RemoveAll(a => a.Occurrence == alert.Occurrence);
            }
        }
    }

    /// <summary>One alert stream folded so far; <see cref="Gate"/> lets one reader at a time move it on.</summary>
    private sealed class FoldedStream(string alertId)
    {
        public TrackedAlert Alert { get; } = new(alertId);
        public List<AlertView> Resolved { get; } = [];
        public SemaphoreSlim Gate { get; } = new(1, 1);
    }
}
