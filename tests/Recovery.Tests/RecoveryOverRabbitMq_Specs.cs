using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Recovery.Sagas;
using Caas.Recovery.Sagas.Persistence;
using Caas.Recovery.Sagas.Scheduling;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Recovery.Tests;

/// <summary>
/// The recovery saga as the cluster runs it: RabbitMQ (a vhost of its own, no delayed-message plugin),
/// saga state and timeouts in PostgreSQL (a schema of its own).
/// </summary>
[Trait("Category", "Integration")]
public sealed class RecoveryOverRabbitMq_Specs : IAsyncLifetime
{
    private static readonly TimeSpan Patience = RecoveryTestHost.Patience;

    private readonly FakeTimeProvider _clock = new(RecoveryHarness.Start);
    private PostgresTestDatabase _database = null!;
    private RabbitMqTestVhost _vhost = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresTestDatabase.CreateAsync();
        _vhost = await RabbitMqTestVhost.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await _vhost.DisposeAsync();
        await _database.DisposeAsync();
    }

    private IHost BuildHost(MessageInbox<RestoreJob> agent, MessageInbox<RecoveryEnded> ended, RecoveryOptions? options = null) =>
        RecoveryTestHost.Build(RecoveryPersistence.Postgres(_database.ConnectionString), _clock, agent, ended, options,
            x => x.UsingRabbitMq((context, bus) =>
            {
                _vhost.Configure(bus);
                bus.ConfigureEndpoints(context);
            }));

    [Fact]
    public async Task An_incident_runs_to_its_end_and_its_cancelled_timeouts_stay_unsent()
    {
        var incidentId = Guid.NewGuid();
        var job = JobIds.New();
        var agent = new MessageInbox<RestoreJob>();
        var ended = new MessageInbox<RecoveryEnded>();
        using var host = BuildHost(agent, ended);
        await host.StartAsync();
        var bus = host.Services.GetRequiredService<IBus>();

        await bus.Publish(new RecoveryRequested(incidentId, job, "node-a", 5, 0.5, "user asked", _clock.GetUtcNow()));
        Assert.Equal(new RestoreJob(job, "node-a", incidentId, 5, "node-a"), await agent.NextAsync(Patience));
        await host.UntilStateAsync(incidentId, "Restoring");
        var restoreTimeout = (await host.Services.GetRequiredService<ISagaStore<RecoverySagaState>>().LoadAsync(incidentId))!.RestoreTimeoutTokenId!.Value;

        _clock.Advance(TimeSpan.FromSeconds(10));
        await bus.Publish(new RestoreCompleted(job, "node-a", incidentId, 5, 4711, _clock.GetUtcNow()));
        await host.UntilStateAsync(incidentId, "Verifying");
        await bus.Publish(new RestoreVerified(incidentId, job, 0.55, _clock.GetUtcNow()));

        Assert.Equal(
            new RecoveryEnded(incidentId, job, true, "restored from checkpoint 5, progress resumed at 55 %", RecoveryHarness.Start.AddSeconds(10)),
            await ended.NextAsync(Patience));
        await host.UntilStateAsync(incidentId, "Recovered");
        var status = await host.Services.GetRequiredService<IScheduledMessageStore>().GetStatusAsync(restoreTimeout);
        Assert.Equal(RecoveryHarness.Start.AddSeconds(10), status!.CancelledAt);
        Assert.Null(status.SentAt);
        Assert.Equal(RecoveryHarness.Start.AddMinutes(2), status.DueAt);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_restore_timeout_stored_by_a_stopped_host_fires_through_rabbitmq_in_the_next_host()
    {
        var options = new RecoveryOptions { RestoreTimeout = TimeSpan.FromSeconds(30) };
        var incidentId = Guid.NewGuid();
        var job = JobIds.New();
        var agent = new MessageInbox<RestoreJob>();
        using (var first = BuildHost(agent, new MessageInbox<RecoveryEnded>(), options))
        {
            await first.StartAsync();
            await first.Services.GetRequiredService<IBus>().Publish(new RecoveryRequested(incidentId, job, "node-a", 2, null, "stalled", _clock.GetUtcNow()));
            await agent.NextAsync(Patience);
            await first.UntilStateAsync(incidentId, "Restoring");
            await first.StopAsync();
        }

        _clock.Advance(TimeSpan.FromSeconds(20));
        var ended = new MessageInbox<RecoveryEnded>();
        using var second = BuildHost(new MessageInbox<RestoreJob>(), ended, options);
        await second.StartAsync();
        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(
            new RecoveryEnded(incidentId, job, false, "restore timed out: no answer from node node-a within 30 s", RecoveryHarness.Start.AddSeconds(30)),
            await ended.NextAsync(Patience));
        await second.UntilStateAsync(incidentId, "Failed");
        Assert.Empty(await second.Services.GetRequiredService<IRecoveryIncidents>().ListOpenAsync());
        await second.StopAsync();
    }
}
