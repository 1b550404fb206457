using System.Text.Json;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains.Alerts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.ReadModels;

/// <summary>
/// Feeds the job list, the checkpoint catalog and the alerts from $all: job events update the job list and the catalog
/// and begin or end alert conditions, which the alert engine turns into alert events; those come back through here too
/// and are folded (once: the engine ignores versions it already has).
/// Each projection has its own position. Their states are saved with their positions, all in one transaction of the
/// event store's database, between two events (every <see cref="SaveEvery"/> events, every <see cref="SaveInterval"/>
/// when behind, and at stop); at start each is restored and the feed resumes after the lowest position, each projection
/// skipping what it already holds. So a crash never applies an event twice to a projection nor skips one.
/// A save writes each moved projection's whole state (the job list of 10,000 jobs is ~40 MB of JSON), so saves are paced
/// to take at most one part in <see cref="SavePacing"/> of the feed's time: under a heavy stream of heartbeats the feed
/// saves every few seconds instead of every thousand events, which cost the silo most of a core and held hundreds of MiB.
/// </summary>
public sealed class ProjectionFeed : BackgroundService, IProjectionOperations
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(5);
    public const int SaveEvery = 1000;
    public static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(2);
    /// <summary>After a save that took d, the next regular one waits until SavePacing × d has passed since it ended.</summary>
    public const int SavePacing = 20;

    private readonly IEventStore _store;
    private readonly IProjectionCheckpoints _checkpoints;
    private readonly EventSerializer _serializer;
    private readonly JobListProjection _jobs;
    private readonly CheckpointCatalogProjection _catalog;
    private readonly AlertsProjection _alertsProjection;
    private readonly AlertConditions _conditions;
    private readonly AlertEngine _alerts;
    private readonly TimeProvider _time;
    private readonly ILogger<ProjectionFeed> _logger;
    private readonly Dictionary<string, Slot> _slots;
    // Held while an event is folded, a checkpoint saved or a rebuild begins: each sees the projections between events.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource _subscription = new();
    private long _headAtStart;
    private bool _caughtUp;
    /// <summary>The wait before resuming after a failure: doubles while the store stays away, back to the first once events flow.</summary>
    private TimeSpan _pause = FirstPause;
    private int _unsaved;
    private long _lastSaveEnded;
    private TimeSpan _lastSaveTook;

    public ProjectionFeed(IEventStore store, IProjectionCheckpoints checkpoints, EventSerializer serializer, JobListProjection jobs,
        CheckpointCatalogProjection catalog, AlertsProjection alertsProjection, AlertConditions conditions, AlertEngine alerts,
        TimeProvider time, ILogger<ProjectionFeed> logger)
    {
        _store = store;
        _checkpoints = checkpoints;
        _serializer = serializer;
        _jobs = jobs;
        _catalog = catalog;
        _alertsProjection = alertsProjection;
        _conditions = conditions;
        _alerts = alerts;
        _time = time;
        _logger = logger;
        _slots = new IProjection[] { jobs, catalog, alertsProjection }.ToDictionary(p => p.Name, p => new Slot(p), StringComparer.Ordinal);
    }

    private Slot Jobs => _slots[JobListProjection.ProjectionName];
    private Slot Catalog => _slots[CheckpointCatalogProjection.ProjectionName];
    private Slot Alerting => _slots[AlertsProjection.ProjectionName];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await LoadAsync(stoppingToken);
            _headAtStart = await _store.ReadHeadPositionAsync(stoppingToken);
            if (_slots.Values.All(s => s.Position >= _headAtStart))
                MarkCaughtUp();
            var saver = Task.Run(() => SaveRegularlyAsync(stoppingToken), CancellationToken.None);
            while (!stoppingToken.IsCancellationRequested)
            {
                using var subscription = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                _subscription = subscription;
                try
                {
                    await _store.SubscribeToAllAsync(_slots.Values.Min(s => s.Position) + 1, ApplyAsync, subscription.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // A rebuild asked to start over from a lower position.
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // The store is unreachable (a database restart, a network cut): the read models stay as they are and
                    // resume after the last event each applied once it answers, instead of ending the feed (and the host).
                    _logger.LogWarning(error, "The event feed stopped; resuming in {Pause}", _pause);
                    await Task.Delay(_pause, stoppingToken);
                    _pause = TimeSpan.FromTicks(Math.Min(_pause.Ticks * 2, LongestPause.Ticks));
                }
            }
            await saver;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await SaveAsync(cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // The next start resumes from the previous checkpoint instead: it folds more, but nothing twice.
            _logger.LogWarning(error, "Could not save the projections' checkpoints at stop");
        }
    }

    public async Task<IReadOnlyList<ProjectionView>> ListProjectionsAsync(CancellationToken cancellationToken = default)
    {
        var head = await _store.ReadHeadPositionAsync(cancellationToken);
        var now = _time.GetUtcNow();
        var views = new List<ProjectionView>();
        foreach (var slot in _slots.Values.OrderBy(s => s.Projection.Name, StringComparer.Ordinal))
        {
            var (position, saved, savedAt, target) = slot.Snapshot();
            var age = TimeSpan.Zero;
            if (position < head && (await _store.ReadAllAsync(position + 1, 1, cancellationToken)) is [var oldestUnfolded, ..])
                age = now - oldestUnfolded.RecordedAt is { Ticks: > 0 } waited ? waited : TimeSpan.Zero;
            views.Add(new ProjectionView
            {
                Name = slot.Projection.Name,
                Position = position,
                HeadPosition = Math.Max(head, position),
                Age = age,
                SavedPosition = saved,
                SavedAt = savedAt,
                Rebuilding = target > 0 && position < target,
                RebuildTarget = position < target ? target : 0,
            });
        }
        return views;
    }

    public async Task<IReadOnlyList<ProjectionView>> RebuildAsync(string? name, CancellationToken cancellationToken = default)
    {
        if (name is not null && !_slots.ContainsKey(name))
            throw new OperationRejectedException(RejectionKind.NotFound,
                $"No projection is named '{name}'; there are {string.Join(", ", _slots.Keys.Order(StringComparer.Ordinal))}.");
        await _loaded.Task.WaitAsync(cancellationToken);
        var rebuilt = name is null ? _slots.Keys.ToHashSet(StringComparer.Ordinal) : WithWhatItReads(name);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var head = await _store.ReadHeadPositionAsync(cancellationToken);
            foreach (var slot in rebuilt.Select(n => _slots[n]))
            {
                await _checkpoints.DeleteProjectionCheckpointAsync(slot.Projection.Name, cancellationToken);
                slot.Projection.Reset();
                slot.StartOver(head);
            }
            _logger.LogInformation("Rebuilding projection(s) {Names} from position 0 up to {Head}", string.Join(", ", rebuilt), head);
            try
            {
                await _subscription.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // The feed is stopping; the next start resumes from the reset positions.
            }
            return rebuilt.Order(StringComparer.Ordinal).Select(name => new ProjectionView
            {
                Name = name, HeadPosition = head, Age = TimeSpan.Zero, Rebuilding = head > 0, RebuildTarget = head,
            }).ToArray();
        }
        finally
        {
            _gate.Release();
        }
    }

    private HashSet<string> WithWhatItReads(string name)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { name };
        foreach (var read in _slots[name].Projection.Reads)
            names.UnionWith(WithWhatItReads(read));
        return names;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        foreach (var checkpoint in await _checkpoints.ReadProjectionCheckpointsAsync(cancellationToken))
        {
            if (!_slots.TryGetValue(checkpoint.Name, out var slot))
                continue;
            if (checkpoint.StateType != slot.Projection.StateType)
            {
                _logger.LogInformation("Projection {Name} was saved as {Saved}; this build folds {Current}: rebuilding it", checkpoint.Name, checkpoint.StateType, slot.Projection.StateType);
                continue;
            }
            try
            {
                slot.Projection.RestoreState(checkpoint.State);
                slot.Restored(checkpoint.Position, checkpoint.SavedAt);
            }
            catch (JsonException error)
            {
                _logger.LogError(error, "The saved state of projection {Name} is unreadable: rebuilding it", checkpoint.Name);
                slot.Projection.Reset();
            }
        }
        // A projection must never be behind one it reads (it would fold with that one's later state): start those over too.
        foreach (var slot in _slots.Values)
        {
            foreach (var read in slot.Projection.Reads.Select(n => _slots[n]).Where(r => r.Position > slot.Position))
            {
                _logger.LogInformation("Projection {Name} is behind {Read}, which it reads: rebuilding {Read} too", slot.Projection.Name, read.Projection.Name, read.Projection.Name);
                read.Projection.Reset();
                read.Restored(0, null);
            }
        }
        _logger.LogInformation("Projections resume at {Positions}", string.Join(", ", _slots.Values.Select(s => $"{s.Projection.Name} {s.Position}")));
        _loaded.TrySetResult();
    }

    private async ValueTask ApplyAsync(RecordedEvent recorded, CancellationToken cancellationToken)
    {
        _pause = FirstPause;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await FoldAsync(recorded, cancellationToken);
            foreach (var slot in _slots.Values)
                slot.Advance(recorded.Position);
            if (++_unsaved >= SaveEvery && SaveIsDue())
                await SaveLockedAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
        if (!_caughtUp && recorded.Position >= _headAtStart)
            MarkCaughtUp();
    }

    /// <summary>Folds one event into every projection that does not hold it yet.</summary>
    private async Task FoldAsync(RecordedEvent recorded, CancellationToken cancellationToken)
    {
        var position = recorded.Position;
        try
        {
            // Job streams feed the job list, the catalog and the alert conditions; alert and silence streams the alert
            // lifecycle; other streams (the node directory's drains) hold nothing for them.
            if (JobIds.IsValid(recorded.Stream))
            {
                if (Jobs.Position >= position && Catalog.Position >= position && Alerting.Position >= position)
                    return;
                var jobEvent = _serializer.Deserialize(recorded);
                // Those who read the job list are never behind it, so when it skips an event they skip it too.
                if (Jobs.Position >= position || _jobs.Apply(jobEvent, position) is not { } job)
                    return;
                if (Catalog.Position < position)
                    _catalog.Apply(jobEvent, job);
                if (Alerting.Position < position)
                    await _alerts.OnConditionsAsync(_conditions.Apply(jobEvent, job), cancellationToken);
            }
            else if (AlertLifecycle.IsAlertingStream(recorded.Stream) && Alerting.Position < position)
                _alerts.OnRecorded(recorded, _serializer.DeserializeAny(recorded));
        }
        catch (Exception error) when (error is UnknownEventTypeException or JsonException)
        {
            // One unreadable event must not blind the portal to everything after it.
            _logger.LogError(error, "Skipped event {Position} of stream {Stream}", position, recorded.Stream);
        }
    }

    private async Task SaveRegularlyAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SaveInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SaveAsync(stoppingToken, paced: true);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    _logger.LogWarning(error, "Could not save the projections' checkpoints; trying again in {Interval}", SaveInterval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SaveAsync(CancellationToken cancellationToken, bool paced = false)
    {
        if (!_loaded.Task.IsCompleted)
            return;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!paced || SaveIsDue())
                await SaveLockedAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Saves every projection that moved since its last save, in one transaction; the caller holds the gate.</summary>
    private async Task SaveLockedAsync(CancellationToken cancellationToken)
    {
        _unsaved = 0;
        var moved = _slots.Values.Where(s => s.Position != s.SavedPosition).ToArray();
        if (moved.Length == 0)
            return;
        var started = _time.GetTimestamp();
        var at = _time.GetUtcNow();
        var checkpoints = moved.Select(s => new ProjectionCheckpoint(s.Projection.Name, s.Position, s.Projection.StateType, s.Projection.SaveState(), at)).ToArray();
        await _checkpoints.SaveProjectionCheckpointsAsync(checkpoints, cancellationToken);
        foreach (var slot in moved)
            slot.Saved(slot.Position, at);
        _lastSaveEnded = _time.GetTimestamp();
        _lastSaveTook = _time.GetElapsedTime(started, _lastSaveEnded);
    }

    /// <summary>Whether a regular save may run now: the last one ended at least <see cref="SavePacing"/> times its duration ago.</summary>
    private bool SaveIsDue() => _time.GetElapsedTime(_lastSaveEnded) >= _lastSaveTook * SavePacing;

    /// <summary>The history present at start is folded in: alerts may now fire by time, and live jobs be woken.</summary>
    private void MarkCaughtUp()
    {
        _caughtUp = true;
        _alerts.MarkCaughtUp();
    }

    /// <summary>Where one projection is: folded up to, saved up to, and the head a running rebuild aims for.</summary>
    private sealed class Slot(IProjection projection)
    {
        private readonly Lock _lock = new();
        private long _position;
        private long _savedPosition;
        private DateTimeOffset? _savedAt;
        private long _rebuildTarget;

        public IProjection Projection { get; } = projection;
        public long Position { get { lock (_lock) return _position; } }
        public long SavedPosition { get { lock (_lock) return _savedPosition; } }

        public (long Position, long Saved, DateTimeOffset? SavedAt, long RebuildTarget) Snapshot()
        {
            lock (_lock)
                return (_position, _savedPosition, _savedAt, _rebuildTarget);
        }

        public void Advance(long position)
        {
            lock (_lock)
                _position = Math.Max(_position, position);
        }

        public void Restored(long position, DateTimeOffset? savedAt)
        {
            lock (_lock)
                (_position, _savedPosition, _savedAt) = (position, position, savedAt);
        }

        public void StartOver(long head)
        {
            lock (_lock)
                (_position, _savedPosition, _savedAt, _rebuildTarget) = (0, 0, null, head);
        }

        public void Saved(long position, DateTimeOffset at)
        {
            lock (_lock)
                (_savedPosition, _savedAt) = (position, at);
        }
    }
}
