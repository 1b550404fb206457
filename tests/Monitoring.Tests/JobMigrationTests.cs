using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Monitoring.Tests;

/// <summary>Migration through the real grains, bus and recovery hand-off; the agents are recorders, so each step's report is played here.</summary>
[Trait("Category", "Component")]
public sealed class JobMigrationTests(MonitoringCluster cluster) : IClassFixture<MonitoringCluster>
{
    private DateTimeOffset Now => cluster.Clock.GetUtcNow();
    private IJobMigrations Migrations => cluster.Silo.GetRequiredService<IJobMigrations>();

    private async Task<string> RunningJobOn(string node)
    {
        await cluster.NodeAlive(node);
        var id = JobIds.New();
        var view = await cluster.Job(id).Submit(new JobSpec { Command = "/usr/bin/sleep", Args = ["600"], StallThreshold = TimeSpan.FromMinutes(5) });
        Assert.Equal(node, view.NodeId);
        await cluster.Job(id).RecordLaunched(new JobLaunched(id, node, 4242, Now));
        return id;
    }

    /// <summary>
    /// The transfers node-1 is asked for after the stopping checkpoint: the migration's, and the copy every checkpoint gets
    /// to another node of its pool (node-2 here as well). The agents' answers are played for both.
    /// </summary>
    private async Task<IReadOnlyList<TransferCheckpoint>> TransfersOf(string id)
    {
        await cluster.Tap.WaitFor<TransferCheckpoint>(t => t.JobId == id, AgentAddress.QueueName("node-1"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (cluster.Tap.AllOn<TransferCheckpoint>(AgentAddress.QueueName("node-1"), t => t.JobId == id).Count < 2 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        var transfers = cluster.Tap.AllOn<TransferCheckpoint>(AgentAddress.QueueName("node-1"), t => t.JobId == id);
        Assert.Equal(2, transfers.Count);
        return transfers;
    }

    [Fact]
    public async Task A_job_moves_by_a_stopping_checkpoint_a_transfer_to_the_target_and_a_restore_there()
    {
        var id = await RunningJobOn("node-1");
        await cluster.NodeAlive("node-2");

        var started = await Migrations.MigrateAsync(id, "node-2", null);

        Assert.Equal((id, "node-1", "node-2", 1), (started.JobId, started.SourceNodeId, started.TargetNodeId, started.Sequence));
        var checkpoint = await cluster.Tap.WaitFor<CheckpointJob>(c => c.JobId == id, AgentAddress.QueueName("node-1"));
        Assert.False(checkpoint.LeaveRunning);
        await cluster.Job(id).RecordCheckpointCompleted(new CheckpointCompleted(id, "node-1", new JobEvents(id, Now).Checkpoint(0, 1, 0.5, leaveRunning: false), Now));

        var transfers = await TransfersOf(id);
        Assert.All(transfers, transfer => Assert.Equal((1, "node-1", "node-2"), (transfer.Sequence, transfer.SourceNodeId, transfer.TargetNodeId)));
        Assert.Empty(cluster.Tap.All<RecoveryRequested>(r => r.JobId == id));
        foreach (var transfer in transfers)
            await cluster.Silo.GetRequiredService<IBus>().Publish(new CheckpointTransferred(transfer.TransferId, id, 1, "node-1", "node-2", 1000, TimeSpan.FromSeconds(1), Now));

        var restore = await cluster.Tap.WaitFor<RecoveryRequested>(r => r.JobId == id);
        Assert.Equal(("node-2", 1), (restore.NodeId, restore.Sequence));
        Assert.Equal("migrated from node-1 to node-2 on request", restore.Reason);
    }

    [Fact]
    public async Task A_failed_transfer_brings_the_job_back_where_it_was()
    {
        var id = await RunningJobOn("node-1");
        await cluster.NodeAlive("node-2");
        await Migrations.MigrateAsync(id, "node-2", null);
        await cluster.Tap.WaitFor<CheckpointJob>(c => c.JobId == id, AgentAddress.QueueName("node-1"));
        await cluster.Job(id).RecordCheckpointCompleted(new CheckpointCompleted(id, "node-1", new JobEvents(id, Now).Checkpoint(0, 1, 0.5, leaveRunning: false), Now));
        foreach (var transfer in await TransfersOf(id))
            await cluster.Silo.GetRequiredService<IBus>().Publish(new CheckpointTransferFailed(transfer.TransferId, id, 1, "node-1", "node-2", "node-2", "connection refused", Now));

        var restore = await cluster.Tap.WaitFor<RecoveryRequested>(r => r.JobId == id);
        Assert.Equal("node-1", restore.NodeId);
        Assert.Contains("connection refused", restore.Reason);
    }

    [Fact]
    public async Task A_pool_target_picks_its_least_loaded_eligible_node()
    {
        var id = await RunningJobOn("node-1");
        await cluster.NodeAlive("node-2", pool: "west", slots: 4, running: 3);
        await cluster.NodeAlive("node-9", pool: "west", slots: 4, running: 1);

        var started = await Migrations.MigrateAsync(id, null, "west");

        Assert.Equal("node-9", started.TargetNodeId);
    }

    [Theory]
    [InlineData("node-1", null, "already runs there")]
    [InlineData("node-404", null, "No node agent 'node-404' has registered.")]
    [InlineData(null, "nowhere", "No node agent is in pool 'nowhere'.")]
    [InlineData("node-2", "default", "not both")]
    public async Task A_target_it_cannot_move_to_is_refused_and_nothing_happens(string? node, string? pool, string expected)
    {
        var id = await RunningJobOn("node-1");
        var version = (await cluster.Job(id).GetView())!.Version;

        var error = await Assert.ThrowsAsync<OperationRejectedException>(() => Migrations.MigrateAsync(id, node, pool));

        Assert.Contains(expected, error.Message);
        Assert.Equal(version, (await cluster.Job(id).GetView())!.Version);
        Assert.Empty(cluster.Tap.All<CheckpointJob>(c => c.JobId == id));
    }
}
