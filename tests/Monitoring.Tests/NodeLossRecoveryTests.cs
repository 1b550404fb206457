using Caas.Contracts.Bus;
using Caas.Contracts.Events;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Monitoring.Grains.Nodes;

namespace Caas.Monitoring.Tests;

/// <summary>
/// A node found lost starts recovery of the jobs that ran on it, from a checkpoint copy held elsewhere; a copy that
/// node still runs when it comes back is killed; liveness outlives a restart of the platform. Each test has a
/// cluster of its own (node-1 and node-2 in pool "loss"), since it lets a node fall silent.
/// </summary>
[Trait("Category", "Component")]
public sealed class NodeLossRecoveryTests
{
    private const string Pool = "loss";

    [Fact]
    public async Task Each_checkpoint_is_copied_to_another_node_of_the_pool_and_the_copy_is_recorded()
    {
        await using var own = await OwnCluster.StartAsync();
        var cluster = own.Cluster;
        var (id, node, other) = await RunningJobAsync(cluster);

        var transfer = await CheckpointAsync(cluster, id, node, 1, 0.3);

        Assert.Equal((id, 1, node, other), (transfer.JobId, transfer.Sequence, transfer.SourceNodeId, transfer.TargetNodeId));
        await CopiedAsync(cluster, transfer);
        Assert.Contains("CheckpointCopied", await cluster.StoredTypes(id));
    }

    [Fact]
    public async Task A_job_on_a_lost_node_is_restored_elsewhere_from_the_newest_checkpoint_copied_off_it()
    {
        await using var own = await OwnCluster.StartAsync();
        var cluster = own.Cluster;
        var (id, node, other) = await RunningJobAsync(cluster);
        await CopiedAsync(cluster, await CheckpointAsync(cluster, id, node, 1, 0.2));
        // Checkpoint 2 never reached another node: it is lost with the node.
        await CheckpointAsync(cluster, id, node, 2, 0.4);

        var lostAt = await LoseAsync(cluster, node, other);

        var requested = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.JobId == id);
        Assert.Equal((node, 1, 0.2, node, other), (requested.NodeId, requested.Sequence, requested.CheckpointProgress, requested.AvoidNodeId, requested.CheckpointNodeId));
        var view = await cluster.Job(id).GetView();
        Assert.Equal(JobStatus.Restoring, view!.Status);
        Assert.StartsWith($"restoring from checkpoint 1: node {node} lost at {lostAt:u}", view.StatusReason);
        Assert.Equal(["NodeLostWithJob", "RestoreRequested"], (await cluster.StoredTypes(id)).TakeLast(2));
    }

    [Fact]
    public async Task A_job_on_a_lost_node_with_no_checkpoint_elsewhere_is_lost_saying_why_and_goes_on_when_its_node_comes_back_with_it()
    {
        await using var own = await OwnCluster.StartAsync();
        var cluster = own.Cluster;
        var (id, node, other) = await RunningJobAsync(cluster);
        await CheckpointAsync(cluster, id, node, 1, 0.2);

        var lostAt = await LoseAsync(cluster, node, other);

        var view = await WaitForAsync(cluster, id, v => v.Status == JobStatus.Lost);
        Assert.StartsWith($"node {node} stopped heartbeating at {lostAt:u} and no checkpoint of the job is held on another node", view.StatusReason);
        Assert.Empty(cluster.Tap.All<RecoveryRequested>(m => m.JobId == id));

        // The node was cut off, not dead: it comes back with the job, which nothing replaced, and the job goes on there.
        await cluster.NodeHeartbeat(node, Pool);
        await cluster.Job(id).RecordHeartbeat(node, Sample(id, 0.3), cluster.Clock.GetUtcNow());
        view = await cluster.Job(id).GetView();
        Assert.Equal((JobStatus.Running, node, 4242, 0.3), (view!.Status, view.NodeId, view.Pid, view.Progress));
        Assert.Empty(cluster.Tap.AllOn<KillJob>(AgentAddress.QueueName(node), m => m.JobId == id));
        Assert.Equal(["NodeLostWithJob", "NodeReturnedWithJob"], (await cluster.StoredTypes(id)).Where(t => t.StartsWith("Node")));
    }

    [Fact]
    public async Task A_lost_job_whose_node_comes_back_without_it_failed_with_the_node_saying_so()
    {
        await using var own = await OwnCluster.StartAsync();
        var cluster = own.Cluster;
        var (id, node, other) = await RunningJobAsync(cluster);
        await LoseAsync(cluster, node, other);
        await WaitForAsync(cluster, id, v => v.Status == JobStatus.Lost);

        // The machine rebooted: its agent finds the job's process gone and reports it.
        await cluster.Job(id).RecordExited(new JobProcessExited(id, node, null, null, cluster.Clock.GetUtcNow(), "the process is gone"));

        var view = await cluster.Job(id).GetView();
        Assert.Equal((JobStatus.Failed, $"node {node} came back without the job: ended without an exit status: the process is gone"), (view!.Status, view.StatusReason));
    }

    [Fact]
    public async Task A_lost_job_killed_while_its_node_is_away_is_stopped_at_once_and_its_copy_killed_when_the_node_returns()
    {
        await using var own = await OwnCluster.StartAsync();
        var cluster = own.Cluster;
        var (id, node, other) = await RunningJobAsync(cluster);
        await LoseAsync(cluster, node, other);
        await WaitForAsync(cluster, id, v => v.Status == JobStatus.Lost);

        await cluster.Job(id).RequestKill("operator gave up on it");

        var view = await cluster.Job(id).GetView();
        Assert.Equal((JobStatus.Stopped, $"operator gave up on it while its node {node} was lost"), (view!.Status, view.StatusReason));
        await cluster.Job(id).RecordHeartbeat(node, Sample(id, 0.3), cluster.Clock.GetUtcNow());
        Assert.Equal(2, await CountAsync(() => cluster.Tap.AllOn<KillJob>(AgentAddress.QueueName(node), m => m.JobId == id).Count, 2));
        Assert.Equal(JobStatus.Stopped, (await cluster.Job(id).GetView())!.Status);
    }

    [Fact]
    public async Task A_restore_asked_for_after_the_jobs_node_was_lost_comes_back_elsewhere_from_a_copy_or_is_refused_without_one()
    {
        await using var own = await OwnCluster.StartAsync();
        var cluster = own.Cluster;
        var (id, node, other) = await RunningJobAsync(cluster);
        await CopiedAsync(cluster, await CheckpointAsync(cluster, id, node, 1, 0.2));
        await CheckpointAsync(cluster, id, node, 2, 0.4);
        // No node fits the job when its node is lost, so recovery gives up and the job is left failed.
        await cluster.NodeHeartbeat(other, Pool, slots: 0);
        await LoseAsync(cluster, node, other);
        var first = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.JobId == id);
        await cluster.Job(id).RecordRecoveryEnded(new Contracts.Bus.RecoveryEnded(first.IncidentId, id, false, "no node to restore on", cluster.Clock.GetUtcNow()));

        var refused = await Assert.ThrowsAsync<Contracts.Services.OperationRejectedException>(() => cluster.Job(id).RequestRestore(2, "operator"));
        Assert.Equal($"Checkpoint 2 of job {id} is held only by node {node}, which was lost.", refused.Message);
        var incident = await cluster.Job(id).RequestRestore(1, "operator");

        var requested = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.IncidentId == incident);
        Assert.Equal((node, other, 1), (requested.AvoidNodeId, requested.CheckpointNodeId, requested.Sequence));
    }

    [Fact]
    public async Task A_job_placed_on_a_node_lost_before_it_started_is_placed_on_another_node()
    {
        await using var own = await OwnCluster.StartAsync();
        var cluster = own.Cluster;
        await cluster.NodeAlive("node-1", Pool);
        await cluster.NodeAlive("node-2", Pool);
        var id = JobIds.New();
        var node = (await cluster.Job(id).Submit(JobEvents.Spec(TimeSpan.FromMinutes(30), Pool))).NodeId!;
        var other = node == "node-1" ? "node-2" : "node-1";

        await LoseAsync(cluster, node, other);

        var launch = await cluster.Tap.WaitFor<LaunchJob>(m => m.JobId == id, queue: AgentAddress.QueueName(other));
        Assert.Equal(other, launch.NodeId);
        var view = await cluster.Job(id).GetView();
        Assert.Equal((JobStatus.Queued, other), (view!.Status, view.NodeId));
    }

    [Fact]
    public async Task Recovery_placement_never_chooses_the_excluded_node_and_says_why_when_nothing_else_fits()
    {
        await using var own = await OwnCluster.StartAsync();
        var cluster = own.Cluster;
        var (id, node, other) = await RunningJobAsync(cluster);

        Assert.Equal(other, (await cluster.Job(id).PlaceForRecovery([node])).NodeId);
        var none = await cluster.Job(id).PlaceForRecovery([node, other]);
        Assert.Null(none.NodeId);
        Assert.Equal("no node other than node-1, node-2", none.Problem);
    }

    [Fact]
    public async Task A_lost_node_that_comes_back_with_the_job_still_running_gets_its_stale_copy_killed()
    {
        await using var own = await OwnCluster.StartAsync();
        var cluster = own.Cluster;
        var (id, node, other) = await RunningJobAsync(cluster);
        await CopiedAsync(cluster, await CheckpointAsync(cluster, id, node, 1, 0.2));
        await LoseAsync(cluster, node, other);
        var requested = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.JobId == id);

        // The lost node heartbeats again, its copy of the job still running, before and after the restore elsewhere.
        await cluster.Job(id).RecordHeartbeat(node, Sample(id, 0.25), cluster.Clock.GetUtcNow());
        var kill = await cluster.Tap.WaitFor<KillJob>(m => m.JobId == id, queue: AgentAddress.QueueName(node));
        Assert.StartsWith($"stale copy: node {node} was written off", kill.Reason);
        await cluster.Job(id).RecordRestoreCompleted(new RestoreCompleted(id, other, requested.IncidentId, 1, 777, cluster.Clock.GetUtcNow()));
        await cluster.Job(id).RecordHeartbeat(other, Sample(id, 0.21, pid: 777), cluster.Clock.GetUtcNow());
        await cluster.Job(id).RecordHeartbeat(node, Sample(id, 0.26), cluster.Clock.GetUtcNow());

        Assert.Equal(2, await CountAsync(() => cluster.Tap.AllOn<KillJob>(AgentAddress.QueueName(node), m => m.JobId == id).Count, 2));
        Assert.Empty(cluster.Tap.AllOn<KillJob>(AgentAddress.QueueName(other), m => m.JobId == id));
        var view = await cluster.Job(id).GetView();
        Assert.Equal((JobStatus.Running, other, 777), (view!.Status, view.NodeId, view.Pid));
        Assert.Equal(0.21, view.Progress);
    }

    [Fact]
    public async Task Liveness_outlives_a_restart_a_lost_node_stays_lost_and_a_silent_one_is_found_lost()
    {
        using var dir = new TempDirectory();
        var path = dir.File("events.db");
        DateTimeOffset lostAt;
        await using (var own = await OwnCluster.StartAsync(path))
        {
            var first = own.Cluster;
            await first.NodeAlive("node-1", Pool);
            await first.NodeAlive("node-2", Pool);
            lostAt = await LoseAsync(first, "node-1", "node-2");
        }

        await using var secondRun = await OwnCluster.StartAsync(path);
        var second = secondRun.Cluster;
        var liveness = await second.Client.GetGrain<INodeLivenessGrain>(0).Liveness();
        Assert.Equal([("node-1", NodeHealth.Lost, lostAt), ("node-2", NodeHealth.Live, default)],
            liveness.Select(n => (n.NodeId, n.Health, n.Health == NodeHealth.Lost ? n.Since : default)));

        // node-2 never heartbeats to this run of the platform: it is found lost after its timeout from the restart.
        second.Clock.Advance(NodeLivenessDetector.LostAfter + TimeSpan.FromSeconds(1));
        Assert.Equal(NodeHealth.Lost, await second.Health("node-2"));
        Assert.Equal([NodeLivenessJournal.RegisteredType, NodeLivenessJournal.RegisteredType, NodeLivenessJournal.LostType, NodeLivenessJournal.LostType],
            await WaitForStreamAsync(second, NodeLivenessJournal.Stream, 4));
    }

    private static JobSample Sample(string jobId, double progress, int pid = 4242) =>
        new() { JobId = jobId, Pid = pid, State = "R", CpuSeconds = 1, RssBytes = 8 << 20, Progress = progress };

    /// <returns>The job, its node, and the pool's other node.</returns>
    private static async Task<(string Id, string Node, string Other)> RunningJobAsync(MonitoringCluster cluster)
    {
        await cluster.NodeAlive("node-1", Pool);
        await cluster.NodeAlive("node-2", Pool);
        var id = JobIds.New();
        var view = await cluster.Job(id).Submit(JobEvents.Spec(TimeSpan.FromMinutes(30), Pool));
        var node = view.NodeId!;
        await cluster.Job(id).RecordLaunched(new JobLaunched(id, node, 4242, cluster.Clock.GetUtcNow()));
        return (id, node, node == "node-1" ? "node-2" : "node-1");
    }

    /// <returns>The copy the grain asked the node to make.</returns>
    private static async Task<TransferCheckpoint> CheckpointAsync(MonitoringCluster cluster, string id, string node, int sequence, double progress)
    {
        Assert.Equal(sequence, await cluster.Job(id).RequestCheckpoint(leaveRunning: true));
        await cluster.Job(id).RecordCheckpointCompleted(new CheckpointCompleted(id, node,
            new JobEvents(id, cluster.Clock.GetUtcNow()).Checkpoint(0, sequence, progress, node), cluster.Clock.GetUtcNow()));
        return await cluster.Tap.WaitFor<TransferCheckpoint>(m => m.JobId == id && m.Sequence == sequence, queue: AgentAddress.QueueName(node));
    }

    /// <summary>The target of <paramref name="transfer"/> reports the copy made.</summary>
    private static Task CopiedAsync(MonitoringCluster cluster, TransferCheckpoint transfer) =>
        cluster.Job(transfer.JobId).RecordCheckpointTransferred(new CheckpointTransferred(transfer.TransferId, transfer.JobId, transfer.Sequence,
            transfer.SourceNodeId, transfer.TargetNodeId, 100, TimeSpan.FromSeconds(1), cluster.Clock.GetUtcNow()));

    /// <summary>Lets <paramref name="node"/> fall silent while <paramref name="other"/> keeps heartbeating, until the directory declares it lost.</summary>
    /// <returns>When it was lost.</returns>
    private static async Task<DateTimeOffset> LoseAsync(MonitoringCluster cluster, string node, string other)
    {
        for (var beats = 0; await cluster.Health(node) != NodeHealth.Lost; beats++)
        {
            Assert.True(beats < 10, $"{node} was not found lost");
            cluster.Clock.Advance(NodeLivenessDetector.AssumedHeartbeatInterval);
            await cluster.NodeHeartbeat(other, Pool);
        }
        var lost = (await cluster.Client.GetGrain<INodeLivenessGrain>(0).Liveness()).Single(n => n.NodeId == node);
        // The recovery watcher looks every second of the platform's clock.
        cluster.Clock.Advance(NodeLossRecovery.Interval);
        return lost.Since;
    }

    private static async Task<Contracts.Views.JobView> WaitForAsync(MonitoringCluster cluster, string id, Func<Contracts.Views.JobView, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var view = await cluster.Job(id).GetView();
            if (view is not null && done(view))
                return view;
            Assert.True(DateTime.UtcNow < deadline, $"job {id} did not get there; it is {view?.Status}: {view?.StatusReason}");
            // The watcher sleeps on the fake clock.
            cluster.Clock.Advance(NodeLossRecovery.Interval);
            await Task.Delay(50);
        }
    }

    private static async Task<int> CountAsync(Func<int> count, int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (count() < expected && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        return count();
    }

    private static async Task<IReadOnlyList<string>> WaitForStreamAsync(MonitoringCluster cluster, string stream, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var types = (await cluster.Store.ReadStreamAsync(stream, 0, 100)).Select(e => e.Type).ToArray();
            if (types.Length >= count || DateTime.UtcNow > deadline)
                return types;
            // The directory looks once a second of Orleans' own (real) clock.
            await Task.Delay(100);
        }
    }
}
