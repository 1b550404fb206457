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
/// killed with SIGKILL while the incident waits in each state (Placing, Transferring, Restoring, Verifying), and started again. The spec plays the
/// agent and monitoring on a bus of its own in the same vhost. Real time: timeouts are seconds.
/// </summary>
[Trait("Category", "Chaos")]
public sealed class SagaHostKill_Specs : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly MessageInbox<RestoreJob> _agent = new();
    private readonly MessageInbox<RecoveryEnded> _ended = new();
    private readonly MessageInbox<PlaceRecoveredJob> _placement = new();
    private readonly MessageInbox<TransferCheckpoint> _holder = new();
    private readonly MessageInbox<RestoreJob> _target = new();
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
            cfg.ReceiveEndpoint("monitoring-placement", e => e.Handler<PlaceRecoveredJob>(c => Received(_placement, c.Message)));
            cfg.ReceiveEndpoint(AgentAddress.QueueName("node-b"), e => e.Handler<TransferCheckpoint>(c => Received(_holder, c.Message)));
            cfg.ReceiveEndpoint(AgentAddress.QueueName("node-c"), e => e.Handler<RestoreJob>(c => Received(_target, c.Message)));
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

    private async Task StartHostAsync(TimeSpan restoreTimeout, TimeSpan verifyTimeout, TimeSpan? placementRetry = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["CAAS_SAGAHOST_POSTGRES"] = _database.ConnectionString,
            ["CAAS_SAGAHOST_RABBITMQ"] = _vhost.AmqpUri,
            ["CAAS_SAGAHOST_RESTORE_TIMEOUT_SECONDS"] = restoreTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            ["CAAS_SAGAHOST_VERIFY_TIMEOUT_SECONDS"] = verifyTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        };
        if (placementRetry is { } retry)
            environment["CAAS_SAGAHOST_PLACEMENT_RETRY_SECONDS"] = retry.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        _host = await TestHostProcess.StartAsync("Recovery.SagaHost", environment, patience: TimeSpan.FromSeconds(60));
    }

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

    [Fact]
    public async Task A_saga_host_killed_while_placing_transferring_restoring_and_verifying_resumes_each_time_and_recovers()
    {
        var incidentId = Guid.NewGuid();
        var job = JobIds.New();
        var longWait = TimeSpan.FromMinutes(10);
        await StartHostAsync(longWait, longWait);
        // node-a was lost; a copy of checkpoint 6 lies on node-b.
        await _bus.Publish(new RecoveryRequested(incidentId, job, "node-a", 6, 0.6, "node node-a lost", DateTimeOffset.UtcNow, AvoidNodeId: "node-a", CheckpointNodeId: "node-b"));
        var asked = await _placement.NextAsync(Patience);
        Assert.Equal((incidentId, job, 1), (asked.IncidentId, asked.JobId, asked.Attempt));
        Assert.Equal(["node-a"], asked.ExcludedNodeIds);
        await UntilStateAsync(incidentId, "Placing");

        // Killed in Placing; monitoring's answer waits in the queue.
        await KillHostAsync();
        await _bus.Publish(new RecoveryPlaced(incidentId, job, "node-c", 1, DateTimeOffset.UtcNow));
        await StartHostAsync(longWait, longWait);
        Assert.Equal(new TransferCheckpoint(job, 6, "node-b", "node-c", incidentId), await _holder.NextAsync(Patience));
        await UntilStateAsync(incidentId, "Transferring");

        // Killed in Transferring.
        await KillHostAsync();
        await _bus.Publish(new CheckpointTransferred(incidentId, job, 6, "node-b", "node-c", 4096, TimeSpan.FromSeconds(1), DateTimeOffset.UtcNow));
        await StartHostAsync(longWait, longWait);
        Assert.Equal(new RestoreJob(job, "node-c", incidentId, 6, "node-b"), await _target.NextAsync(Patience));
        await UntilStateAsync(incidentId, "Restoring");

        // Killed in Restoring, then in Verifying.
        await KillHostAsync();
        await _bus.Publish(new RestoreCompleted(job, "node-c", incidentId, 6, 6160, DateTimeOffset.UtcNow));
        await StartHostAsync(longWait, longWait);
        await UntilStateAsync(incidentId, "Verifying");
        await KillHostAsync();
        await StartHostAsync(longWait, longWait);
        await _bus.Publish(new RestoreVerified(incidentId, job, 0.61, DateTimeOffset.UtcNow));

        var ended = await _ended.NextAsync(Patience);
        Assert.Equal((incidentId, true, "restored from checkpoint 6, progress resumed at 61 %"), (ended.IncidentId, ended.Succeeded, ended.Outcome));
        var incident = await UntilStateAsync(incidentId, "Recovered");
        Assert.Equal(("node-c", "node-b", 6160), (incident.NodeId, incident.CheckpointNodeId, incident.RestoredPid));
        Assert.Equal(["opened", "placing", "placed", "transfer requested", "transferred", "restore requested", "restored", "verified", "recovered"], incident.Steps.Select(s => s.Name));
    }

    [Fact]
    public async Task A_placement_retry_due_while_the_saga_host_was_dead_asks_again_when_it_returns()
    {
        var retry = TimeSpan.FromSeconds(3);
        var incidentId = Guid.NewGuid();
        var job = JobIds.New();
        await StartHostAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10), retry);
        await _bus.Publish(new RecoveryRequested(incidentId, job, "node-a", 2, null, "node node-a lost", DateTimeOffset.UtcNow, AvoidNodeId: "node-a", CheckpointNodeId: "node-b"));
        Assert.Equal(1, (await _placement.NextAsync(Patience)).Attempt);
        await _bus.Publish(new RecoveryPlacementFailed(incidentId, job, "every usable node in pool 'onprem' is full", 1, DateTimeOffset.UtcNow));
        var noNode = DateTimeOffset.UtcNow;
        var giveUpAt = DateTime.UtcNow + Patience;
        while ((await _incidents.GetAsync(incidentId))!.Steps.All(s => s.Name != "no node"))
        {
            Assert.True(DateTime.UtcNow < giveUpAt, "the saga did not record that no node fitted");
            await Task.Delay(50);
        }

        await KillHostAsync();
        while (DateTimeOffset.UtcNow <= noNode + retry)
            await Task.Delay(100);
        await StartHostAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10), retry);

        var again = await _placement.NextAsync(Patience);
        Assert.Equal((incidentId, 2), (again.IncidentId, again.Attempt));
        Assert.Equal("Placing", (await _incidents.GetAsync(incidentId))!.State);
    }
}
