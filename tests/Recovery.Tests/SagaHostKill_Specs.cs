using System.Globalization;
using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;
using Caas.Recovery.Sagas;
using Caas.Recovery.Sagas.Persistence;
using MassTransit;

namespace Caas.Recovery.Tests;

/// <summary>
/// The invariant "a saga interrupted by a crash of any one process completes after that process
/// returns", with a real crash: the saga host is a process of its own on PostgreSQL and RabbitMQ,
/// killed with SIGKILL while the incident waits in a state, and started again. The spec plays the
/// agent and monitoring on a bus of its own in the same vhost. Real time: timeouts are seconds.
/// </summary>
[Trait("Category", "Chaos")]
public sealed class SagaHostKill_Specs : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly MessageInbox<RestoreJob> _agent = new();
    private readonly MessageInbox<RecoveryEnded> _ended = new();
    private PostgresTestDatabase _database = null!;
    private RabbitMqTestVhost _vhost = null!;
    private IBusControl _bus = null!;
    private RecoveryIncidents _incidents = null!;
    private TestHostProcess? _host;

    public async Task InitializeAsync()
    {
        _database = await PostgresTestDatabase.CreateAsync();
        _vhost = await RabbitMqTestVhost.CreateAsync();
        _incidents = new RecoveryIncidents(new PostgresSagaStore<RecoverySagaState>(
            _database.NewDataSource(), RecoveryRegistration.SagaTableDefinition, s => s.CurrentState, TimeProvider.System));
        _bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            _vhost.Configure(cfg);
            cfg.ReceiveEndpoint(AgentAddress.QueueName("node-a"), e => e.Handler<RestoreJob>(c => Received(_agent, c.Message)));
            cfg.ReceiveEndpoint("monitoring-recovery-ended", e => e.Handler<RecoveryEnded>(c => Received(_ended, c.Message)));
        });
        await _bus.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
            await _host.DisposeAsync();
        await _bus.StopAsync();
        await _vhost.DisposeAsync();
        await _database.DisposeAsync();
    }

    private static Task Received<T>(MessageInbox<T> inbox, T message)
    {
        inbox.Add(message);
        return Task.CompletedTask;
    }

    private async Task StartHostAsync(TimeSpan restoreTimeout, TimeSpan verifyTimeout) =>
        _host = await TestHostProcess.StartAsync("Recovery.SagaHost", new Dictionary<string, string>
        {
            ["CAAS_SAGAHOST_POSTGRES"] = _database.ConnectionString,
            ["CAAS_SAGAHOST_RABBITMQ"] = _vhost.AmqpUri,
            ["CAAS_SAGAHOST_RESTORE_TIMEOUT_SECONDS"] = restoreTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            ["CAAS_SAGAHOST_VERIFY_TIMEOUT_SECONDS"] = verifyTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        }, patience: TimeSpan.FromSeconds(60));

    private async Task KillHostAsync()
    {
        await _host!.KillAsync();
        await _host.DisposeAsync();
        _host = null;
    }

    private async Task<RecoveryIncident> UntilStateAsync(Guid incidentId, string state)
    {
        var giveUpAt = DateTime.UtcNow + Patience;
        while (true)
        {
            var incident = await _incidents.GetAsync(incidentId);
            if (incident?.State == state)
                return incident;
            if (DateTime.UtcNow > giveUpAt)
                throw new TimeoutException($"Incident {incidentId} is {incident?.State ?? "missing"}, not {state}, after {Patience}. Host output:\n{_host?.Output}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_saga_host_killed_while_restoring_and_again_while_verifying_resumes_and_recovers()
    {
        var incidentId = Guid.NewGuid();
        var job = JobIds.New();
        await StartHostAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10));
        await _bus.Publish(new RecoveryRequested(incidentId, job, "node-a", 6, 0.6, "user asked", DateTimeOffset.UtcNow));
        Assert.Equal(new RestoreJob(job, "node-a", incidentId, 6, "node-a"), await _agent.NextAsync(Patience));
        await UntilStateAsync(incidentId, "Restoring");

        // Killed in Restoring; the agent's answer arrives while no saga host runs and waits in the queue.
        await KillHostAsync();
        await _bus.Publish(new RestoreCompleted(job, "node-a", incidentId, 6, 5150, DateTimeOffset.UtcNow));
        await StartHostAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10));
        await UntilStateAsync(incidentId, "Verifying");

        // Killed in Verifying.
        await KillHostAsync();
        await StartHostAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10));
        await _bus.Publish(new RestoreVerified(incidentId, job, 0.62, DateTimeOffset.UtcNow));

        var ended = await _ended.NextAsync(Patience);
        Assert.Equal((incidentId, true, "restored from checkpoint 6, progress resumed at 62 %"), (ended.IncidentId, ended.Succeeded, ended.Outcome));
        var incident = await UntilStateAsync(incidentId, "Recovered");
        Assert.Equal(5150, incident.RestoredPid);
        Assert.Equal(["opened", "restore requested", "restored", "verified", "recovered"], incident.Steps.Select(s => s.Name));
    }

    [Fact]
    public async Task A_restore_timeout_whose_time_passed_while_the_saga_host_was_dead_fires_when_it_returns()
    {
        var restoreTimeout = TimeSpan.FromSeconds(3);
        var incidentId = Guid.NewGuid();
        var job = JobIds.New();
        await StartHostAsync(restoreTimeout, TimeSpan.FromMinutes(10));
        await _bus.Publish(new RecoveryRequested(incidentId, job, "node-a", 2, null, "stalled", DateTimeOffset.UtcNow));
        await _agent.NextAsync(Patience);
        var restoring = await UntilStateAsync(incidentId, "Restoring");

        await KillHostAsync();
        // Let the deadline pass while no host runs: nothing in memory can remember the timeout now.
        var deadline = restoring.StartedAt + restoreTimeout;
        while (DateTimeOffset.UtcNow <= deadline)
            await Task.Delay(100);
        Assert.Equal("Restoring", (await _incidents.GetAsync(incidentId))!.State);
        await StartHostAsync(restoreTimeout, TimeSpan.FromMinutes(10));

        var ended = await _ended.NextAsync(Patience);
        Assert.Equal((incidentId, false, "restore timed out: no answer from node node-a within 3 s"), (ended.IncidentId, ended.Succeeded, ended.Outcome));
        await UntilStateAsync(incidentId, "Failed");
    }
}
