using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Tests;

/// <summary>
/// Fencing by epochs: every placement of a job (launch, restore) has a higher epoch than the last, the commands carry it,
/// and a copy that reports an older epoch is refused and killed, so a job's progress only ever comes from the copy
/// the platform placed last. Each test has a cluster of its own (node-1 and node-2 in pool "epochs").
/// </summary>
[Trait("Category", "Component")]
public sealed class EpochFencingTests
{
    private const string Pool = "epochs";

    [Fact]
    public async Task Each_launch_and_restore_gets_a_higher_epoch_and_the_restore_request_carries_it()
    {
        await using var own = await OwnCluster.StartAsync();
        var cluster = own.Cluster;
        var (id, node) = await RunningJobAsync(cluster);
        var launch = await cluster.Tap.WaitFor<LaunchJob>(m => m.JobId == id, queue: AgentAddress.QueueName(node));
        await CheckpointAsync(cluster, id, node);

        var first = await cluster.Job(id).RequestRestore(1, "operator");
        var firstRequest = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.IncidentId == first);
        await cluster.Job(id).RecordRestoreCompleted(new RestoreCompleted(id, node, first, 1, 5000, cluster.Clock.GetUtcNow()));
        var second = await cluster.Job(id).RequestRestore(1, "operator again");
        var secondRequest = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.IncidentId == second);

        Assert.Equal((1L, 2L, 3L), (launch.Epoch, firstRequest.Epoch, secondRequest.Epoch));
    }

    [Fact]
    public async Task A_copy_of_an_older_epoch_is_refused_and_killed_by_epoch_while_the_current_copy_is_recorded()
    {
        await using var own = await OwnCluster.StartAsync();
        var cluster = own.Cluster;
        var (id, node) = await RunningJobAsync(cluster);
        await CheckpointAsync(cluster, id, node);
        var incident = await cluster.Job(id).RequestRestore(1, "operator");
        var other = node == "node-1" ? "node-2" : "node-1";
        // The restore went to the other node (as a migration would); the old copy on the first node lives on.
        await cluster.Job(id).RecordRestoreCompleted(new RestoreCompleted(id, other, incident, 1, 777, cluster.Clock.GetUtcNow()));
        await cluster.Job(id).RecordHeartbeat(other, Sample(id, 0.21, pid: 777, epoch: 2), cluster.Clock.GetUtcNow());

        await cluster.Job(id).RecordHeartbeat(node, Sample(id, 0.9, pid: 4242, epoch: 1), cluster.Clock.GetUtcNow());

        var kill = await cluster.Tap.WaitFor<KillJob>(m => m.JobId == id, queue: AgentAddress.QueueName(node));
        Assert.Equal(1L, kill.UpToEpoch);
        Assert.StartsWith($"stale copy: epoch 1 of job {id} was superseded by epoch 2", kill.Reason);
        Assert.Empty(cluster.Tap.AllOn<KillJob>(AgentAddress.QueueName(other), m => m.JobId == id));
        var view = await cluster.Job(id).GetView();
        Assert.Equal((JobStatus.Running, other, 777, 0.21), (view!.Status, view.NodeId, view.Pid, view.Progress));
    }

    [Fact]
    public async Task During_a_restore_in_place_the_old_copy_neither_verifies_the_restore_nor_is_killed_behind_the_agents_back()
    {
        await using var own = await OwnCluster.StartAsync();
        var cluster = own.Cluster;
        var (id, node) = await RunningJobAsync(cluster);
        await CheckpointAsync(cluster, id, node);
        var incident = await cluster.Job(id).RequestRestore(1, "operator");

        // The hung copy still reports, ahead of the checkpoint's progress, while the agent is about to replace it.
        await cluster.Job(id).RecordHeartbeat(node, Sample(id, 0.5, pid: 4242, epoch: 1), cluster.Clock.GetUtcNow());
        await cluster.Job(id).RecordRestoreCompleted(new RestoreCompleted(id, node, incident, 1, 5151, cluster.Clock.GetUtcNow()));
        await cluster.Job(id).RecordHeartbeat(node, Sample(id, 0.6, pid: 4242, epoch: 1), cluster.Clock.GetUtcNow());
        Assert.Empty(cluster.Tap.All<RestoreVerified>(m => m.JobId == id));
        await cluster.Job(id).RecordHeartbeat(node, Sample(id, 0.3, pid: 5151, epoch: 2), cluster.Clock.GetUtcNow());

        var verified = await cluster.Tap.WaitFor<RestoreVerified>(m => m.JobId == id);
        Assert.Equal((incident, 0.3), (verified.IncidentId, verified.Progress));
        var view = await cluster.Job(id).GetView();
        Assert.Equal((JobStatus.Running, 5151, 0.3), (view!.Status, view.Pid, view.Progress));
        // Only the heartbeat after the restore, when the job ran again, had the old copy killed (by its epoch, sparing 5151).
        var kills = cluster.Tap.AllOn<KillJob>(AgentAddress.QueueName(node), m => m.JobId == id);
        Assert.All(kills, k => Assert.Equal(1L, k.UpToEpoch));
    }

    [Fact]
    public async Task A_copy_still_running_on_the_node_the_job_was_lost_with_is_killed_by_epoch_while_the_restore_elsewhere_is_under_way()
    {
        await using var own = await OwnCluster.StartAsync();
        var cluster = own.Cluster;
        var (id, node) = await RunningJobAsync(cluster);
        var other = node == "node-1" ? "node-2" : "node-1";
        await CheckpointAsync(cluster, id, node);
        var transfer = await cluster.Tap.WaitFor<TransferCheckpoint>(m => m.JobId == id, queue: AgentAddress.QueueName(node));
        await cluster.Job(id).RecordCheckpointTransferred(new CheckpointTransferred(transfer.TransferId, id, 1, node, other, 100, TimeSpan.FromSeconds(1), cluster.Clock.GetUtcNow()));
        for (var beats = 0; await cluster.Health(node) != NodeHealth.Lost; beats++)
        {
            Assert.True(beats < 10, $"{node} was not found lost");
            cluster.Clock.Advance(Monitoring.Grains.Nodes.NodeLivenessDetector.AssumedHeartbeatInterval);
            await cluster.NodeHeartbeat(other, Pool);
        }
        cluster.Clock.Advance(Monitoring.Grains.Nodes.NodeLossRecovery.Interval);
        var requested = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.JobId == id);
        Assert.Equal(2L, requested.Epoch);

        await cluster.Job(id).RecordHeartbeat(node, Sample(id, 0.25, pid: 4242, epoch: 1), cluster.Clock.GetUtcNow());

        var kill = await cluster.Tap.WaitFor<KillJob>(m => m.JobId == id, queue: AgentAddress.QueueName(node));
        Assert.Equal(1L, kill.UpToEpoch);
        Assert.Equal(JobStatus.Restoring, (await cluster.Job(id).GetView())!.Status);
    }

    [Fact]
    public async Task An_incident_whose_restored_copy_never_verified_restores_again_from_an_older_checkpoint_which_then_verifies()
    {
        await using var own = await OwnCluster.StartAsync();
        var cluster = own.Cluster;
        var (id, node) = await RunningJobAsync(cluster);
        await CheckpointAsync(cluster, id, node);
        Assert.Equal(2, await cluster.Job(id).RequestCheckpoint(leaveRunning: true));
        await cluster.Job(id).RecordCheckpointCompleted(new CheckpointCompleted(id, node,
            new JobEvents(id, cluster.Clock.GetUtcNow()).Checkpoint(0, 2, 0.4, node), cluster.Clock.GetUtcNow()));
        var incident = await cluster.Job(id).RequestRestore(2, "operator");
        await cluster.Job(id).RecordRestoreCompleted(new RestoreCompleted(id, node, incident, 2, 5151, cluster.Clock.GetUtcNow()));
        // The copy from checkpoint 2 runs but never gets back to 40 %: recovery gives it up for checkpoint 1.
        await cluster.Job(id).RecordHeartbeat(node, Sample(id, 0.1, pid: 5151, epoch: 2), cluster.Clock.GetUtcNow());

        await cluster.Job(id).RecordRestoreCompleted(new RestoreCompleted(id, node, incident, 1, 6161, cluster.Clock.GetUtcNow()));
        await cluster.Job(id).RecordRestoreCompleted(new RestoreCompleted(id, node, incident, 1, 6161, cluster.Clock.GetUtcNow()));
        var view = await cluster.Job(id).GetView();
        Assert.Equal((JobStatus.Running, 6161, 0.2), (view!.Status, view.Pid, view.Progress));
        Assert.Empty(cluster.Tap.All<RestoreVerified>(m => m.JobId == id));
        await cluster.Job(id).RecordHeartbeat(node, Sample(id, 0.25, pid: 6161, epoch: 2), cluster.Clock.GetUtcNow());

        var verified = await cluster.Tap.WaitFor<RestoreVerified>(m => m.JobId == id);
        Assert.Equal((incident, 0.25), (verified.IncidentId, verified.Progress));
        Assert.Equal(2, (await cluster.StoredTypes(id)).Count(t => t == nameof(Caas.Contracts.Events.JobRestored)));
    }

    private static JobSample Sample(string jobId, double progress, int pid, long epoch) =>
        new() { JobId = jobId, Pid = pid, State = "R", CpuSeconds = 1, RssBytes = 8 << 20, Progress = progress, Epoch = epoch };

    private static async Task<(string Id, string Node)> RunningJobAsync(MonitoringCluster cluster)
    {
        await cluster.NodeAlive("node-1", Pool);
        await cluster.NodeAlive("node-2", Pool);
        var id = JobIds.New();
        var node = (await cluster.Job(id).Submit(JobEvents.Spec(TimeSpan.FromMinutes(30), Pool))).NodeId!;
        await cluster.Job(id).RecordLaunched(new JobLaunched(id, node, 4242, cluster.Clock.GetUtcNow()));
        return (id, node);
    }

    private static async Task CheckpointAsync(MonitoringCluster cluster, string id, string node)
    {
        Assert.Equal(1, await cluster.Job(id).RequestCheckpoint(leaveRunning: true));
        await cluster.Job(id).RecordCheckpointCompleted(new CheckpointCompleted(id, node,
            new JobEvents(id, cluster.Clock.GetUtcNow()).Checkpoint(0, 1, 0.2, node), cluster.Clock.GetUtcNow()));
    }
}
