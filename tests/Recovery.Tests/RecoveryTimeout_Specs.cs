using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Recovery.Sagas;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Recovery.Tests;

/// <summary>Timeouts are durable scheduled messages on the saga's clock: the tests move the fake clock past them.</summary>
[Trait("Category", "Component")]
public sealed class RecoveryTimeout_Specs : IAsyncLifetime
{
    private static readonly RecoveryOptions Short = new() { RestoreTimeout = TimeSpan.FromSeconds(1), VerifyTimeout = TimeSpan.FromSeconds(1) };

    private readonly TempDatabase _database = new();
    private readonly FakeTimeProvider _clock = new(RecoveryHarness.Start);
    private readonly Guid _incident = Guid.NewGuid();
    private readonly string _job = JobIds.New();
    private RecoveryHarness _bus = null!;

    public async Task InitializeAsync() => _bus = await RecoveryHarness.StartAsync(_database.Path, _clock, Short, inactivity: TimeSpan.FromSeconds(3));

    public async Task DisposeAsync()
    {
        await _bus.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task A_restore_the_agent_never_answers_ends_failed_after_the_restore_timeout()
    {
        await _bus.Publish(new RecoveryRequested(_incident, _job, "node-a", 2, null, "user asked", _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));

        _clock.Advance(TimeSpan.FromSeconds(1));

        var ended = Assert.Single(await _bus.PublishedAsync<RecoveryEnded>());
        Assert.Equal(new RecoveryEnded(_incident, _job, false, "restore timed out: no answer from node node-a within 1 s", RecoveryHarness.Start.AddSeconds(1)), ended);
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Failed));
    }

    [Fact]
    public async Task A_restored_job_that_never_progresses_ends_failed_after_the_verify_timeout()
    {
        await _bus.Publish(new RecoveryRequested(_incident, _job, "node-a", 2, null, "user asked", _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));
        await _bus.Publish(new RestoreCompleted(_job, "node-a", _incident, 2, 77, _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Verifying));

        _clock.Advance(TimeSpan.FromSeconds(1));

        var ended = Assert.Single(await _bus.PublishedAsync<RecoveryEnded>());
        Assert.Equal("verify timed out: the restored job made no progress within 1 s", ended.Outcome);
        Assert.False(ended.Succeeded);
        var incident = await _bus.Incidents.GetAsync(_incident);
        Assert.NotNull(incident);
        Assert.Equal("Failed", incident.State);
        Assert.Equal(77, incident.RestoredPid);
    }

    [Fact]
    public async Task A_restored_copy_that_never_progresses_is_replaced_from_the_next_older_checkpoint_and_the_outcome_says_why()
    {
        await _bus.Publish(new RecoveryRequested(_incident, _job, "node-a", 2, null, "user asked", _clock.GetUtcNow()) with { FallbackSequences = [1] });
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));
        await _bus.Publish(new RestoreCompleted(_job, "node-a", _incident, 2, 77, _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Verifying));

        _clock.Advance(TimeSpan.FromSeconds(1));

        await _bus.SentAsync<RestoreJob>(m => m.Sequence == 1);
        Assert.Equal([2, 1], _bus.Harness.Sent.Select<RestoreJob>().Select(m => m.Context.Message.Sequence));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));
        await _bus.Publish(new RestoreCompleted(_job, "node-a", _incident, 1, 78, _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Verifying));
        await _bus.Publish(new RestoreVerified(_incident, _job, 0.25, _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Recovered));

        var ended = await _bus.SingleEndedAsync();
        Assert.True(ended.Succeeded);
        Assert.Equal("restored from checkpoint 1, progress resumed at 25 % (checkpoint 2 did not verify: its restored copy (pid 77) made no progress within 1 s)",
            ended.Outcome);
        var incident = await _bus.Incidents.GetAsync(_incident);
        Assert.Equal(["opened", "restore requested", "restored", "fell back", "restored", "verified", "recovered"], incident!.Steps.Select(s => s.Name));
        Assert.Equal(78, incident.RestoredPid);
    }

    [Fact]
    public async Task A_restore_completed_in_time_is_not_failed_by_its_stale_restore_timeout()
    {
        await _bus.Publish(new RecoveryRequested(_incident, _job, "node-a", 2, null, "user asked", _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));
        await _bus.Publish(new RestoreCompleted(_job, "node-a", _incident, 2, 77, _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Verifying));
        await _bus.Publish(new RestoreVerified(_incident, _job, 0.5, _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Recovered));

        // Both timeouts were scheduled and then cancelled: past their time, neither is sent nor changes the outcome.
        _clock.Advance(TimeSpan.FromSeconds(5));
        await _bus.Harness.InactivityTask;
        Assert.False(await _bus.Harness.Consumed.Any<RestoreTimedOut>());
        Assert.False(await _bus.Harness.Consumed.Any<VerifyTimedOut>());

        var ended = Assert.Single(_bus.Harness.Published.Select<RecoveryEnded>());
        Assert.True(ended.Context.Message.Succeeded);
        var incident = await _bus.Incidents.GetAsync(_incident);
        Assert.NotNull(incident);
        Assert.Equal("Recovered", incident.State);
    }
}
