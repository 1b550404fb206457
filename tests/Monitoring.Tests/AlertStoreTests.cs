using Caas.Contracts.Alerts;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains.Alerts;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Monitoring.Tests;

/// <summary>
/// The alert engine on a real event store: alert state changes land in the alert's own stream, a restart rebuilds the
/// same alerts from the store, and decisions replayed after a restart are recognised instead of written twice.
/// </summary>
public abstract class AlertStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly AlertSubject Sim = new("job-00000000c1", "sim", "node-a", "cloud-1");
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly EventSerializer _serializer = new();
    private readonly AlertingOptions _options = new() { For = new() { [AlertKind.Stalled] = TimeSpan.FromSeconds(30) } };
    private IEventStore _store = null!;

    protected abstract Task<IEventStore> OpenAsync();

    protected abstract Task CloseAsync(IEventStore store);

    public async Task InitializeAsync() => _store = await OpenAsync();

    public virtual async Task DisposeAsync() => await CloseAsync(_store);

    private (AlertEngine Engine, AlertLifecycle Lifecycle) NewEngine()
    {
        var lifecycle = new AlertLifecycle(_options);
        return (new AlertEngine(_store, _serializer, lifecycle, new NoWebhooksOutbox(), _clock, NullLogger<AlertEngine>.Instance), lifecycle);
    }

    /// <summary>What a restarted host does: folds every alert event of $all into a fresh lifecycle.</summary>
    private async Task<(AlertEngine Engine, AlertLifecycle Lifecycle)> RestartAsync()
    {
        var (engine, lifecycle) = NewEngine();
        foreach (var recorded in await _store.ReadAllAsync(1, 10_000))
            engine.OnRecorded(recorded, _serializer.DeserializeAny(recorded));
        return (engine, lifecycle);
    }

    private async Task<IReadOnlyList<string>> StreamTypesAsync(string stream) =>
        (await _store.ReadStreamAsync(stream, 0, 100)).Select(e => e.Type).ToArray();

    [Fact]
    public async Task A_stall_is_recorded_pending_then_firing_then_acknowledged_in_its_own_stream_and_a_restart_sees_the_same()
    {
        var (engine, lifecycle) = NewEngine();
        await engine.OnConditionsAsync([new AlertCondition(AlertKind.Stalled, Sim, true, "no progress", T0)], default);
        _clock.Advance(TimeSpan.FromSeconds(30));
        await engine.FireDueAsync(default);
        await engine.RunCommandAsync(now => lifecycle.DecideAcknowledge("stalled-job-00000000c1", "olivia", "on it", now), default);

        Assert.Equal(["AlertRaised", "AlertFired", "AlertAcknowledged"], await StreamTypesAsync("alert-stalled-job-00000000c1"));
        var (_, restarted) = await RestartAsync();
        var alert = restarted.Get("stalled-job-00000000c1", _clock.GetUtcNow())!;
        Assert.Equal((AlertState.Acknowledged, T0.AddSeconds(30), "olivia", "on it"), (alert.State, alert.FiredAt, alert.AcknowledgedBy, alert.AcknowledgeComment));
    }

    [Fact]
    public async Task Decisions_replayed_after_a_restart_are_recognised_and_not_written_twice()
    {
        var conditions = new[]
        {
            new AlertCondition(AlertKind.Failed, Sim, true, "exit code 3", T0),
            new AlertCondition(AlertKind.Failed, Sim, false, "", T0.AddMinutes(1)),
        };
        var (first, _) = NewEngine();
        foreach (var condition in conditions)
            await first.OnConditionsAsync([condition], default);
        var head = await _store.ReadHeadPositionAsync();

        // A restarted host replays the job events (and so the conditions) before it reaches the alert events they caused.
        var (replaying, lifecycle) = NewEngine();
        foreach (var condition in conditions)
            await replaying.OnConditionsAsync([condition], default);

        Assert.Equal(head, await _store.ReadHeadPositionAsync());
        Assert.Equal(["AlertRaised", "AlertFired", "AlertResolved"], await StreamTypesAsync("alert-failed-job-00000000c1"));
        Assert.Equal(AlertState.Resolved, lifecycle.Get("failed-job-00000000c1", _clock.GetUtcNow())!.State);
    }

    [Fact]
    public async Task Silences_are_recorded_and_survive_a_restart()
    {
        var (engine, lifecycle) = NewEngine();
        await engine.RunCommandAsync(now => lifecycle.DecideSilence("s1", new NewSilence { Matchers = new SilenceMatchers { Pool = "cloud-1" }, Duration = TimeSpan.FromHours(1), Reason = "upgrade" }, "olivia", now), default);
        await engine.OnConditionsAsync([new AlertCondition(AlertKind.Failed, Sim, true, "exit code 3", T0)], default);

        var (_, restarted) = await RestartAsync();

        Assert.Equal(["SilenceCreated"], await StreamTypesAsync("silence-s1"));
        Assert.Equal(["s1"], restarted.Get("failed-job-00000000c1", _clock.GetUtcNow())!.SilencedBy);
        Assert.Equal("upgrade", Assert.Single(restarted.Silences(false, _clock.GetUtcNow())).Reason);
    }

    [Fact]
    public async Task A_jobs_history_stays_complete_and_pages_in_order_after_the_fleet_resolved_more_than_the_thousand_kept_for_the_alerts_page()
    {
        var (engine, lifecycle) = NewEngine();
        var at = T0;
        async Task OccurAsync(AlertKind kind, AlertSubject subject, string message)
        {
            await engine.OnConditionsAsync([new AlertCondition(kind, subject, true, message, at)], default);
            at += TimeSpan.FromMinutes(1);
            await engine.OnConditionsAsync([new AlertCondition(kind, subject, false, "", at)], default);
            at += _options.FlapWindow + TimeSpan.FromMinutes(1);
        }
        // The job's own history comes first, so that the rest of the fleet pushes all of it out of the fleet-wide list.
        for (var i = 1; i <= 60; i++)
            await OccurAsync(AlertKind.Failed, Sim, $"failure {i}");
        // Failure 60 comes back within the flap window: the same occurrence reopened, resolved again, listed once.
        at -= _options.FlapWindow;
        await engine.OnConditionsAsync([new AlertCondition(AlertKind.Failed, Sim, true, "failure 60 again", at)], default);
        at += TimeSpan.FromMinutes(1);
        await engine.OnConditionsAsync([new AlertCondition(AlertKind.Failed, Sim, false, "", at)], default);
        var reopenedResolved = at;
        at += _options.FlapWindow + TimeSpan.FromMinutes(1);
        await OccurAsync(AlertKind.Starved, Sim, "starved");
        for (var job = 0; job < 7; job++)
        {
            var other = new AlertSubject($"job-00000000d{job}", $"other-{job}", "node-b", "cloud-2");
            for (var i = 0; i < 143; i++)
                await OccurAsync(AlertKind.Failed, other, $"other failure {i}");
        }
        await engine.OnConditionsAsync([new AlertCondition(AlertKind.Stalled, Sim, true, "no progress", at)], default);
        at += TimeSpan.FromMinutes(1);
        _clock.AdjustTime(at);

        Assert.Equal(AlertLifecycle.ResolvedKept, lifecycle.List(AlertState.Resolved, true, 0, AlertOperations.MaxPageSize, at).Total);
        Assert.DoesNotContain(lifecycle.List(AlertState.Resolved, true, 0, AlertOperations.MaxPageSize, at).Items, a => a.JobId == Sim.Id);
        var operations = new AlertOperations(lifecycle, engine, new JobAlertHistory(_store, _serializer, lifecycle), new NoWebhooksOutbox(), _clock);
        var history = await ReadAllPagesAsync(operations, Sim.Id, take: 25);

        Assert.Equal(1 + 60 + 1, history.Count);
        Assert.Equal(history.Count, history.Select(a => (a.Id, a.Occurrence)).Distinct().Count());
        Assert.Equal(("no progress", AlertState.Pending), (history[0].Message, history[0].State));
        Assert.All(history.Skip(1), a => Assert.Equal(AlertState.Resolved, a.State));
        Assert.Equal(("starved", AlertKind.Starved), (history[1].Message, history[1].Kind));
        Assert.Equal(("failure 60 again", 60, 1, reopenedResolved), (history[2].Message, history[2].Occurrence, history[2].Reopened, history[2].ResolvedAt));
        Assert.Equal(Enumerable.Range(1, 59).Reverse().Select(i => $"failure {i}"), history.Skip(3).Select(a => a.Message));
        Assert.Equal(Enumerable.Range(1, 59).Reverse(), history.Skip(3).Select(a => a.Occurrence));
        Assert.All(history, a => Assert.Equal(Sim.Id, a.JobId));
        // What comes later is read on top of what this host already folded.
        await OccurAsync(AlertKind.Failed, Sim, "failure 61");
        var later = await operations.ListJobAlertsAsync(Sim.Id, 0, 3);
        Assert.Equal(63, later.Total);
        Assert.Equal(["no progress", "failure 61", "starved"], later.Items.Select(a => a.Message));
        Assert.Equal(61, later.Items[1].Occurrence);
        history = await ReadAllPagesAsync(operations, Sim.Id, take: 25);
        // A restarted host reads the same history from the same streams.
        var (restartedEngine, restarted) = await RestartAsync();
        var afterRestart = new AlertOperations(restarted, restartedEngine, new JobAlertHistory(_store, _serializer, restarted), new NoWebhooksOutbox(), _clock);
        Assert.Equal(history.Select(a => (a.Id, a.Occurrence, a.Message, a.ResolvedAt)),
            (await ReadAllPagesAsync(afterRestart, Sim.Id, take: 1000)).Select(a => (a.Id, a.Occurrence, a.Message, a.ResolvedAt)));
        Assert.Equal(143, (await afterRestart.ListJobAlertsAsync("job-00000000d3", 0, 10)).Total);
        Assert.Equal(0, (await afterRestart.ListJobAlertsAsync("job-00000000ff", 0, 10)).Total);
    }

    /// <summary>Every page of a job's alerts in turn, checking that each says the same total and starts where asked.</summary>
    private static async Task<List<AlertView>> ReadAllPagesAsync(AlertOperations operations, string jobId, int take)
    {
        var all = new List<AlertView>();
        for (var skip = 0; ; skip += take)
        {
            var page = await operations.ListJobAlertsAsync(jobId, skip, take);
            Assert.Equal(skip, page.Skip);
            all.AddRange(page.Items);
            if (page.Items.Count < take)
            {
                Assert.Equal(page.Total, all.Count);
                return all;
            }
        }
    }

    [Fact]
    public async Task An_acknowledgement_decided_on_a_stale_view_is_refused_as_a_conflict_and_records_nothing()
    {
        var (engine, lifecycle) = NewEngine();
        await engine.OnConditionsAsync([new AlertCondition(AlertKind.Failed, Sim, true, "exit code 3", T0)], default);
        // Another host resolved it meanwhile; this one has not seen that event yet.
        var (other, _) = await RestartAsync();
        await other.OnConditionsAsync([new AlertCondition(AlertKind.Failed, Sim, false, "", T0.AddSeconds(5))], default);

        var refused = await Assert.ThrowsAsync<OperationRejectedException>(() =>
            engine.RunCommandAsync(now => lifecycle.DecideAcknowledge("failed-job-00000000c1", "olivia", null, now), default));

        Assert.Equal(RejectionKind.Conflict, refused.Kind);
        Assert.Equal(["AlertRaised", "AlertFired", "AlertResolved"], await StreamTypesAsync("alert-failed-job-00000000c1"));
    }
}

[Trait("Category", "Integration")]
public sealed class SqliteAlertStoreTests : AlertStoreTests
{
    private readonly TempDirectory _directory = new();

    protected override Task<IEventStore> OpenAsync() => Task.FromResult<IEventStore>(new SqliteEventStore(_directory.File("caas.db")));

    protected override async Task CloseAsync(IEventStore store) => await ((SqliteEventStore)store).DisposeAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}

[Trait("Category", "Integration")]
public sealed class PostgresAlertStoreTests : AlertStoreTests
{
    private PostgresTestSchema _schema = null!;

    protected override async Task<IEventStore> OpenAsync()
    {
        _schema = await PostgresTestSchema.CreateAsync();
        return new PostgresEventStore(_schema.ConnectionString);
    }

    protected override async Task CloseAsync(IEventStore store) => await ((PostgresEventStore)store).DisposeAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _schema.DisposeAsync();
    }
}
