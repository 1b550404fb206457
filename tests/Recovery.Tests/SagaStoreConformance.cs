using Caas.Contracts.Jobs;
using Caas.Recovery.Sagas;
using Caas.Recovery.Sagas.Persistence;
using MassTransit;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Recovery.Tests;

/// <summary>What MassTransit and the portal rely on from a saga store, run against each database it can live in.</summary>
public abstract class SagaStoreConformance : IAsyncLifetime
{
    protected FakeTimeProvider Clock { get; } = new(RecoveryHarness.Start);

    /// <summary>A store on this test's database; each call a new instance, as another process would have.</summary>
    protected abstract ISagaStore<RecoverySagaState> NewStore();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private static RecoverySagaState Incident(Guid id, string state = "Restoring", string reason = "user asked") =>
        new() { CorrelationId = id, CurrentState = state, JobId = JobIds.New(), Reason = reason };

    [Fact]
    public async Task Of_two_updates_from_the_same_version_one_wins_and_the_other_gets_a_concurrency_exception()
    {
        var store = NewStore();
        var id = Guid.NewGuid();
        await store.InsertAsync(Incident(id));
        var first = (await store.LoadAsync(id))!;
        var second = (await NewStore().LoadAsync(id))!;
        Assert.Equal(1, first.Version);
        Assert.Equal(1, second.Version);

        first.CurrentState = "Verifying";
        await store.UpdateAsync(first);
        second.CurrentState = "Failed";
        var lost = await Assert.ThrowsAsync<ConcurrencyException>(() => store.UpdateAsync(second));

        Assert.Equal(id, lost.CorrelationId);
        Assert.Equal(2, first.Version);
        var stored = (await store.LoadAsync(id))!;
        Assert.Equal("Verifying", stored.CurrentState);
        Assert.Equal(2, stored.Version);
    }

    [Fact]
    public async Task Of_many_concurrent_inserts_of_one_instance_exactly_one_is_stored()
    {
        var id = Guid.NewGuid();
        var writers = Enumerable.Range(0, 8).Select(i => (Store: NewStore(), Saga: Incident(id, reason: $"writer {i}"))).ToList();

        var inserted = await Task.WhenAll(writers.Select(w => Task.Run(() => w.Store.TryInsertAsync(w.Saga))));

        var winner = Assert.Single(inserted.Select((won, i) => (won, i)), x => x.won).i;
        var stored = (await NewStore().LoadAsync(id))!;
        Assert.Equal($"writer {winner}", stored.Reason);
        Assert.Equal(1, stored.Version);
        var loser = writers[(winner + 1) % writers.Count];
        await Assert.ThrowsAsync<ConcurrencyException>(() => loser.Store.InsertAsync(loser.Saga));
    }

    [Fact]
    public async Task Deleting_a_changed_instance_is_refused_and_deleting_the_current_one_removes_it()
    {
        var store = NewStore();
        var id = Guid.NewGuid();
        await store.InsertAsync(Incident(id));
        var stale = (await store.LoadAsync(id))!;
        var current = (await store.LoadAsync(id))!;
        await store.UpdateAsync(current);

        await Assert.ThrowsAsync<ConcurrencyException>(() => store.DeleteAsync(stale));
        await store.DeleteAsync(current);

        Assert.Null(await store.LoadAsync(id));
    }

    [Fact]
    public async Task Incidents_are_listed_per_job_and_overall_newest_first()
    {
        var store = NewStore();
        var job = JobIds.New();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var saga = Incident(Guid.NewGuid());
            saga.JobId = i == 1 ? JobIds.New() : job;
            ids.Add(saga.CorrelationId);
            await store.InsertAsync(saga);
            Clock.Advance(TimeSpan.FromSeconds(1));
        }
        var incidents = new RecoveryIncidents(store);

        Assert.Equal([ids[2], ids[0]], (await incidents.ListForJobAsync(job)).Select(x => x.IncidentId));
        Assert.Equal([ids[2], ids[1]], (await incidents.ListRecentAsync(2)).Select(x => x.IncidentId));
        Assert.Empty(await incidents.ListForJobAsync(JobIds.New()));
        await Assert.ThrowsAsync<ArgumentException>(() => incidents.ListForJobAsync("x' OR 1=1 --"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => incidents.ListRecentAsync(0));
    }

    [Fact]
    public async Task Open_incidents_are_those_still_restoring_or_verifying_oldest_first()
    {
        var store = NewStore();
        var ids = new List<Guid>();
        foreach (var state in new[] { "Verifying", "Recovered", "Restoring", "Failed" })
        {
            var saga = Incident(Guid.NewGuid(), state);
            ids.Add(saga.CorrelationId);
            await store.InsertAsync(saga);
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var open = await new RecoveryIncidents(NewStore()).ListOpenAsync();

        Assert.Equal([ids[0], ids[2]], open.Select(x => x.IncidentId));
        Assert.Equal(["Verifying", "Restoring"], open.Select(x => x.State));
    }

    [Fact]
    public async Task An_instance_reads_back_as_it_was_written()
    {
        var saga = Incident(Guid.NewGuid());
        saga.Open(saga.JobId, "stalled on node-a", RecoveryHarness.Start);
        saga.RecordRestoreRequested(4, "node-a", "node-b", 0.25, RecoveryHarness.Start, RecoveryHarness.Start.AddMinutes(2));
        saga.Fallbacks = [3, 1];
        saga.RestoreTimeoutTokenId = Guid.NewGuid();
        await NewStore().InsertAsync(saga);

        var loaded = (await NewStore().LoadAsync(saga.CorrelationId))!;

        Assert.Equal(saga.ToIncident().Steps, loaded.ToIncident().Steps);
        Assert.Equal(saga.RestoreDeadline, loaded.RestoreDeadline);
        Assert.Equal(saga.RestoreTimeoutTokenId, loaded.RestoreTimeoutTokenId);
        Assert.Equal([3, 1], loaded.Fallbacks);
        Assert.Equal(0.25, loaded.CheckpointProgress);
        Assert.Equal(1, loaded.Version);
    }

    [Fact]
    public async Task Queries_on_a_property_without_an_index_are_refused()
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => NewStore().ListNewestWhereAsync("Reason", "x", 10));
        Assert.StartsWith("Saga table 'recovery_sagas' has no index on JSON property 'Reason'.", refused.Message);
    }
}
