using Caas.Contracts.Services;
using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Recovery.Sagas;
using Caas.Recovery.Sagas.Persistence;
using Caas.Recovery.Sagas.Scheduling;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Recovery.Tests;

/// <summary>
/// A saga interrupted by its host stopping completes, or times out at its time, in the next host:
/// run on the standalone wiring (SQLite, in-memory bus) and the cluster's (PostgreSQL, RabbitMQ).
/// </summary>
public abstract class RecoveryRestartConformance : IAsyncLifetime
{
    private static readonly TimeSpan Patience = RecoveryTestHost.Patience;

    private readonly FakeTimeProvider _clock = new(RecoveryHarness.Start);

    protected FakeTimeProvider Clock => _clock;

    /// <summary>A fresh platform host on this test's database and bus.</summary>
    protected abstract IHost BuildHost(MessageInbox<RestoreJob> agent, MessageInbox<RecoveryEnded> ended, RecoveryOptions? options = null);

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    [Fact]
    public async Task An_incident_left_restoring_by_a_stopped_host_completes_in_the_next_host()
    {
        var incidentId = Guid.NewGuid();
        var job = JobIds.New();

        var firstAgent = new MessageInbox<RestoreJob>();
        var firstEnded = new MessageInbox<RecoveryEnded>();
        using (var first = BuildHost(firstAgent, firstEnded))
        {
            await first.StartAsync();
            var bus = first.Services.GetRequiredService<IBus>();
            await bus.Publish(new RecoveryRequested(incidentId, job, "node-a", 4, 0.3, "user asked", _clock.GetUtcNow()));

            Assert.Equal(new RestoreJob(job, "node-a", incidentId, 4, "node-a"), await firstAgent.NextAsync(Patience));
            await first.UntilStateAsync(incidentId, "Restoring");
            await first.StopAsync();
        }

        _clock.Advance(TimeSpan.FromSeconds(30));
        var secondAgent = new MessageInbox<RestoreJob>();
        var secondEnded = new MessageInbox<RecoveryEnded>();
        using var second = BuildHost(secondAgent, secondEnded);
        await second.StartAsync();
        var secondBus = second.Services.GetRequiredService<IBus>();
        var incidents = second.Services.GetRequiredService<IRecoveryIncidents>();

        await secondBus.Publish(new RestoreCompleted(job, "node-a", incidentId, 4, 31337, _clock.GetUtcNow()));
        await second.UntilStateAsync(incidentId, "Verifying");
        await secondBus.Publish(new RestoreVerified(incidentId, job, 0.31, _clock.GetUtcNow()));

        Assert.Equal(
            new RecoveryEnded(incidentId, job, true, "restored from checkpoint 4, progress resumed at 31 %", RecoveryHarness.Start.AddSeconds(30)),
            await secondEnded.NextAsync(Patience));
        await second.UntilStateAsync(incidentId, "Recovered");
        var incident = (await incidents.GetAsync(incidentId))!;
        Assert.Equal(RecoveryHarness.Start, incident.StartedAt);
        Assert.Equal(31337, incident.RestoredPid);
        Assert.Equal(["opened", "restore requested", "restored", "verified", "recovered"], incident.Steps.Select(s => s.Name));
        await second.StopAsync();
    }

    [Fact]
    public async Task A_restore_timeout_the_saga_cancelled_stays_stored_unsent()
    {
        // Verification may take longer than the restore, so the clock can pass the restore's time while verifying.
        var options = new RecoveryOptions { RestoreTimeout = TimeSpan.FromMinutes(2), VerifyTimeout = TimeSpan.FromMinutes(10) };
        var incidentId = Guid.NewGuid();
        var job = JobIds.New();
        var agent = new MessageInbox<RestoreJob>();
        var ended = new MessageInbox<RecoveryEnded>();
        using var host = BuildHost(agent, ended, options);
        await host.StartAsync();
        var bus = host.Services.GetRequiredService<IBus>();
        await bus.Publish(new RecoveryRequested(incidentId, job, "node-a", 5, 0.5, "user asked", _clock.GetUtcNow()));
        await agent.NextAsync(Patience);
        await host.UntilStateAsync(incidentId, "Restoring");
        var restoreTimeout = (await host.Services.GetRequiredService<ISagaStore<RecoverySagaState>>().LoadAsync(incidentId))!.RestoreTimeoutTokenId!.Value;

        _clock.Advance(TimeSpan.FromSeconds(10));
        await bus.Publish(new RestoreCompleted(job, "node-a", incidentId, 5, 4711, _clock.GetUtcNow()));
        await host.UntilStateAsync(incidentId, "Verifying");
        // Past the restore timeout's time: cancelled, it must not fail the incident now being verified.
        _clock.Advance(TimeSpan.FromMinutes(2));
        await bus.Publish(new RestoreVerified(incidentId, job, 0.55, _clock.GetUtcNow()));

        Assert.Equal(
            new RecoveryEnded(incidentId, job, true, "restored from checkpoint 5, progress resumed at 55 %", RecoveryHarness.Start.AddSeconds(130)),
            await ended.NextAsync(Patience));
        await host.UntilStateAsync(incidentId, "Recovered");
        var status = await host.Services.GetRequiredService<IScheduledMessageStore>().GetStatusAsync(restoreTimeout);
        Assert.Equal(RecoveryHarness.Start.AddSeconds(10), status!.CancelledAt);
        Assert.Null(status.SentAt);
        Assert.Equal(RecoveryHarness.Start.AddMinutes(2), status.DueAt);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_restore_timeout_scheduled_by_a_stopped_host_fires_in_the_next_host_at_its_time()
    {
        var options = new RecoveryOptions { RestoreTimeout = TimeSpan.FromSeconds(3) };
        var incidentId = Guid.NewGuid();
        var job = JobIds.New();

        var firstAgent = new MessageInbox<RestoreJob>();
        using (var first = BuildHost(firstAgent, new MessageInbox<RecoveryEnded>(), options))
        {
            await first.StartAsync();
            await first.Services.GetRequiredService<IBus>().Publish(
                new RecoveryRequested(incidentId, job, "node-a", 4, 0.3, "user asked", _clock.GetUtcNow()));
            await firstAgent.NextAsync(Patience);
            await first.UntilStateAsync(incidentId, "Restoring");
            await first.StopAsync();
        }

        // Two of the three seconds passed while no host ran: the timeout is stored, not re-armed, and the next host sends it at its time.
        _clock.Advance(TimeSpan.FromSeconds(2));
        var ended = new MessageInbox<RecoveryEnded>();
        using var second = BuildHost(new MessageInbox<RestoreJob>(), ended, options);
        await second.StartAsync();
        Assert.Equal("Restoring", (await second.Services.GetRequiredService<IRecoveryIncidents>().GetAsync(incidentId))!.State);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(
            new RecoveryEnded(incidentId, job, false, "restore timed out: no answer from node node-a within 3 s", RecoveryHarness.Start.AddSeconds(3)),
            await ended.NextAsync(Patience));
        var incident = (await second.Services.GetRequiredService<IRecoveryIncidents>().GetAsync(incidentId))!;
        Assert.Equal("Failed", incident.State);
        Assert.Empty(await second.Services.GetRequiredService<IRecoveryIncidents>().ListOpenAsync());
        await second.StopAsync();
    }
}
