using System.Collections.Concurrent;
using Caas.Monitoring.EventStore;

namespace Caas.Monitoring.Tests;

/// <summary>
/// What every <see cref="IEventStore"/> backend must do. A backend's test class derives from this and says how to
/// open its store; the SQLite one runs against a real file, a PostgreSQL one would run against a real server.
/// </summary>
public abstract class EventStoreConformanceTests : IAsyncLifetime
{
    private IEventStore _store = null!;

    protected IEventStore Store => _store;

    /// <summary>Opens the backend's store; called again by <see cref="ReopenAsync"/> on the same data.</summary>
    protected abstract Task<IEventStore> OpenAsync();

    protected abstract Task CloseAsync(IEventStore store);

    public async Task InitializeAsync() => _store = await OpenAsync();

    public virtual async Task DisposeAsync() => await CloseAsync(_store);

    protected async Task ReopenAsync()
    {
        await CloseAsync(_store);
        _store = await OpenAsync();
    }

    protected static EventData Event(string type, string data = "{}") => new(Guid.NewGuid(), type, data);

    [Fact]
    public async Task Appends_to_a_new_stream_and_reads_it_back_in_order()
    {
        var first = await _store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("A", "{\"n\":1}"), Event("B", "{\"n\":2}")]);
        var second = await _store.AppendAsync("job-a", 1, [Event("C", "{\"n\":3}")]);

        Assert.Equal(new AppendResult(1, 2), first);
        Assert.Equal(new AppendResult(2, 3), second);
        var stream = await _store.ReadStreamAsync("job-a", 0, 100);
        Assert.Equal(["A", "B", "C"], stream.Select(e => e.Type));
        Assert.Equal([0L, 1L, 2L], stream.Select(e => e.Version));
        Assert.Equal("{\"n\":2}", stream[1].Data);
        Assert.Equal(["C"], (await _store.ReadStreamAsync("job-a", 2, 100)).Select(e => e.Type));
        Assert.Empty(await _store.ReadStreamAsync("job-none", 0, 100));
    }

    [Fact]
    public async Task A_wrong_expected_version_is_refused_with_a_clear_message_and_appends_nothing()
    {
        await _store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("A"), Event("B")]);

        var stale = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => _store.AppendAsync("job-a", 0, [Event("C")]));
        var exists = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => _store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("C")]));

        Assert.Equal("Append to stream 'job-a' expected version 0 but the stream is at version 1.", stale.Message);
        Assert.Equal(("job-a", 0L, 1L), (stale.Stream, stale.ExpectedVersion, stale.ActualVersion));
        Assert.Equal("Append to stream 'job-a' expected version -1 (no stream) but the stream is at version 1.", exists.Message);
        Assert.Equal(2, (await _store.ReadStreamAsync("job-a", 0, 100)).Count);
        Assert.Equal(2, (await _store.ReadAllAsync(0, 100)).Count);
    }

    [Fact]
    public async Task Re_appending_the_same_events_is_a_no_op_success()
    {
        EventData[] batch = [Event("A"), Event("B")];
        var first = await _store.AppendAsync("job-a", ExpectedVersion.NoStream, batch);
        var retried = await _store.AppendAsync("job-a", ExpectedVersion.NoStream, batch);
        var retriedAny = await _store.AppendAsync("job-a", ExpectedVersion.Any, batch);

        Assert.Equal(first, retried);
        Assert.Equal(first, retriedAny);
        Assert.Equal(2, (await _store.ReadStreamAsync("job-a", 0, 100)).Count);

        // Same place, different ids: a real conflict, not a retry.
        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => _store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("A"), Event("B")]));
    }

    [Fact]
    public async Task An_event_id_is_stored_once_per_stream_even_when_a_retry_comes_after_newer_events()
    {
        EventData[] lostReply = [Event("A0"), Event("A1")];
        var first = await _store.AppendAsync("job-a", ExpectedVersion.Any, lostReply);
        await _store.AppendAsync("job-a", 1, [Event("A2")]);

        var retried = await _store.AppendAsync("job-a", ExpectedVersion.Any, lostReply);

        Assert.Equal(new AppendResult(1, 2), first);
        Assert.Equal(first, retried);
        Assert.Equal(["A0", "A1", "A2"], (await _store.ReadStreamAsync("job-a", 0, 100)).Select(e => e.Type));
    }

    [Fact]
    public async Task An_append_that_repeats_only_some_stored_ids_is_refused_and_appends_nothing()
    {
        var stored = Event("A0");
        await _store.AppendAsync("job-a", ExpectedVersion.NoStream, [stored]);

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => _store.AppendAsync("job-a", 0, [stored, Event("A1")]));
        var twice = await Assert.ThrowsAsync<ArgumentException>(() => _store.AppendAsync("job-b", ExpectedVersion.NoStream, [stored, stored]));

        Assert.StartsWith("Append to stream 'job-a': some of its event ids are already stored in the stream (from version 0)", refused.Message);
        Assert.StartsWith($"Append to stream 'job-b' lists event id {stored.EventId} more than once.", twice.Message);
        Assert.Equal(["A0"], (await _store.ReadAllAsync(0, 100)).Select(e => e.Type));
    }

    [Fact]
    public async Task The_same_append_sent_twice_at_once_is_stored_once_and_both_get_its_result()
    {
        await _store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("A0")]);
        EventData[] batch = [Event("A1"), Event("A2")];

        var results = await Task.WhenAll(
            _store.AppendAsync("job-a", 0, batch), _store.AppendAsync("job-a", 0, batch), _store.AppendAsync("job-a", ExpectedVersion.Any, batch));

        Assert.Equal([new AppendResult(2, 3), new AppendResult(2, 3), new AppendResult(2, 3)], results);
        Assert.Equal(["A0", "A1", "A2"], (await _store.ReadAllAsync(0, 100)).Select(e => e.Type));
    }

    [Fact]
    public async Task Reads_a_stream_backward_in_pages_newest_first()
    {
        await _store.AppendAsync("job-a", ExpectedVersion.NoStream, Enumerable.Range(0, 10).Select(i => Event($"E{i}")).ToArray());

        var newest = await _store.ReadStreamBackwardAsync("job-a", StreamPosition.End, 3);
        var next = await _store.ReadStreamBackwardAsync("job-a", newest[^1].Version - 1, 3);
        var last = await _store.ReadStreamBackwardAsync("job-a", 1, 3);

        Assert.Equal(["E9", "E8", "E7"], newest.Select(e => e.Type));
        Assert.Equal(["E6", "E5", "E4"], next.Select(e => e.Type));
        Assert.Equal(["E1", "E0"], last.Select(e => e.Type));
    }

    [Fact]
    public async Task Reads_all_streams_in_commit_order_from_a_position()
    {
        await _store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("A0")]);
        await _store.AppendAsync("job-b", ExpectedVersion.NoStream, [Event("B0")]);
        await _store.AppendAsync("job-a", 0, [Event("A1")]);

        var all = await _store.ReadAllAsync(0, 100);
        var fromSecond = await _store.ReadAllAsync(2, 100);

        Assert.Equal(["A0", "B0", "A1"], all.Select(e => e.Type));
        Assert.Equal([1L, 2L, 3L], all.Select(e => e.Position));
        Assert.Equal(["job-a", "job-b", "job-a"], all.Select(e => e.Stream));
        Assert.Equal(["B0", "A1"], fromSecond.Select(e => e.Type));
        Assert.Equal(3, await _store.ReadHeadPositionAsync());
    }

    [Fact]
    public async Task A_catch_up_subscription_delivers_history_then_live_appends_in_order()
    {
        await _store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("H1"), Event("H2")]);
        var seen = new ConcurrentQueue<RecordedEvent>();
        using var stop = new CancellationTokenSource();
        var subscription = _store.SubscribeToAllAsync(0, (e, _) => { seen.Enqueue(e); return ValueTask.CompletedTask; }, stop.Token);

        await Eventually(() => seen.Count == 2);
        await _store.AppendAsync("job-b", ExpectedVersion.NoStream, [Event("L1")]);
        await _store.AppendAsync("job-a", 1, [Event("L2")]);
        await Eventually(() => seen.Count == 4);

        Assert.Equal(["H1", "H2", "L1", "L2"], seen.Select(e => e.Type));
        Assert.Equal([1L, 2L, 3L, 4L], seen.Select(e => e.Position));
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => subscription);
    }

    [Fact]
    public async Task A_subscription_that_passes_types_over_gets_every_event_in_order_and_only_their_data_left_out()
    {
        await _store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("Placed", "{\"n\":1}"), Event("Beat", "{\"n\":2}")]);
        var seen = new ConcurrentQueue<RecordedEvent>();
        using var stop = new CancellationTokenSource();
        var subscription = _store.SubscribeToAllAsync(0, new HashSet<string> { "Beat" }, (e, _) => { seen.Enqueue(e); return ValueTask.CompletedTask; }, stop.Token);

        await Eventually(() => seen.Count == 2);
        await _store.AppendAsync("job-a", 1, [Event("Beat", "{\"n\":3}"), Event("Exited", "{\"n\":4}")]);
        await Eventually(() => seen.Count == 4);

        Assert.Equal(["Placed", "Beat", "Beat", "Exited"], seen.Select(e => e.Type));
        Assert.Equal([1L, 2L, 3L, 4L], seen.Select(e => e.Position));
        Assert.Equal(["{\"n\":1}", "", "", "{\"n\":4}"], seen.Select(e => e.Data));
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => subscription);
    }

    [Fact]
    public async Task Concurrent_appenders_to_different_streams_all_land()
    {
        const int writers = 20, appendsEach = 50;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < appendsEach; i++)
                await _store.AppendAsync($"job-{w}", i - 1, [Event($"E{i}")]);
        })));

        var all = await _store.ReadAllAsync(0, 10_000);
        Assert.Equal(Enumerable.Range(1, writers * appendsEach).Select(p => (long)p), all.Select(e => e.Position));
        for (var w = 0; w < writers; w++)
        {
            var stream = await _store.ReadStreamAsync($"job-{w}", 0, 1000);
            Assert.Equal(Enumerable.Range(0, appendsEach).Select(v => (long)v), stream.Select(e => e.Version));
            Assert.Equal(Enumerable.Range(0, appendsEach).Select(i => $"E{i}"), stream.Select(e => e.Type));
        }
    }

    [Fact]
    public async Task Many_jobs_heartbeating_at_once_are_committed_in_groups_fast_enough()
    {
        const int jobs = 200, heartbeatsEach = 25;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, jobs).Select(j => Task.Run(async () =>
        {
            for (var i = 0; i < heartbeatsEach; i++)
                await _store.AppendAsync($"job-{j}", i - 1, [Event("HeartbeatRecorded", "{\"cpuSeconds\":1.5,\"rssBytes\":104857600}")]);
        })));
        clock.Stop();

        var perSecond = jobs * heartbeatsEach / clock.Elapsed.TotalSeconds;
        Assert.Equal(jobs * heartbeatsEach, (await _store.ReadAllAsync(0, 100_000)).Count);
        Assert.True(perSecond >= 1000, $"only {perSecond:0} appends/s");
    }

    [Fact]
    public async Task Concurrent_appenders_to_one_stream_conflict_cleanly_and_one_wins()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(async () =>
        {
            try { await _store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event($"W{i}")]); return true; }
            catch (WrongExpectedVersionException) { return false; }
        })));

        Assert.Single(attempts, won => won);
        Assert.Single(await _store.ReadStreamAsync("job-a", 0, 100));
    }

    [Fact]
    public async Task Events_survive_reopening_the_store()
    {
        await _store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("A", "{\"x\":true}")]);

        await ReopenAsync();

        Assert.Equal("{\"x\":true}", Assert.Single(await _store.ReadStreamAsync("job-a", 0, 10)).Data);
        Assert.Equal(1, await _store.ReadHeadPositionAsync());
    }

    [Fact]
    public async Task Keeps_the_newest_snapshot_per_stream()
    {
        Assert.Null(await _store.ReadSnapshotAsync("job-a"));

        await _store.SaveSnapshotAsync(new StreamSnapshot("job-a", 10, "JobState", "{\"v\":10}"));
        await _store.SaveSnapshotAsync(new StreamSnapshot("job-a", 5, "JobState", "{\"v\":5}"));

        Assert.Equal(new StreamSnapshot("job-a", 10, "JobState", "{\"v\":10}"), await _store.ReadSnapshotAsync("job-a"));
    }

    [Fact]
    public async Task Bad_appends_are_refused_and_change_nothing()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.AppendAsync("job-a", ExpectedVersion.NoStream, []));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.AppendAsync(" ", ExpectedVersion.NoStream, [Event("A")]));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.AppendAsync("job-a", ExpectedVersion.NoStream, [new EventData(Guid.Empty, "A", "{}")]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.AppendAsync("job-a", -3, [Event("A")]));

        Assert.Empty(await _store.ReadAllAsync(0, 100));
        Assert.Equal(0, await _store.ReadHeadPositionAsync());
    }

    [Fact]
    public async Task Projection_checkpoints_are_saved_together_replaced_kept_across_a_reopen_and_deleted_by_name()
    {
        var at = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var checkpoints = (IProjectionCheckpoints)_store;
        await checkpoints.SaveProjectionCheckpointsAsync([new("jobs", 3, "Jobs/1", "[1]", at), new("alerts", 3, "Alerts/1", "[]", at)]);
        await checkpoints.SaveProjectionCheckpointsAsync([new("jobs", 7, "Jobs/1", "[1,2]", at.AddSeconds(5))]);

        await ReopenAsync();
        checkpoints = (IProjectionCheckpoints)_store;

        Assert.Equal([new ProjectionCheckpoint("alerts", 3, "Alerts/1", "[]", at), new ProjectionCheckpoint("jobs", 7, "Jobs/1", "[1,2]", at.AddSeconds(5))],
            await checkpoints.ReadProjectionCheckpointsAsync());
        await checkpoints.DeleteProjectionCheckpointAsync("jobs");
        await checkpoints.DeleteProjectionCheckpointAsync("never-saved");
        Assert.Equal(["alerts"], (await checkpoints.ReadProjectionCheckpointsAsync()).Select(c => c.Name));
    }

    [Fact]
    public async Task A_bad_projection_checkpoint_is_refused_and_saves_none_of_its_batch()
    {
        var at = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var checkpoints = (IProjectionCheckpoints)_store;

        await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.SaveProjectionCheckpointsAsync([new("jobs", 3, "Jobs/1", "[]", at), new("alerts", -1, "Alerts/1", "[]", at)]));
        await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.SaveProjectionCheckpointsAsync([new(" ", 3, "Jobs/1", "[]", at)]));

        Assert.Empty(await checkpoints.ReadProjectionCheckpointsAsync());
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The condition did not hold within 10 s.");
            await Task.Delay(20);
        }
    }
}
