using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Caas.Monitoring.Grains;
using Caas.Monitoring.Grains.Distributed;
using Caas.Monitoring.Grains.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Monitoring.Tests;

/// <summary>
/// Distributed jobs through the real job grains, node directory, rank fabric, event store and bus: placement of the
/// ranks on distinct nodes with addresses from the fabric, the ranks' states folded into the job's, and a coordinated
/// checkpoint as one entry restored on other nodes. The host that drives the agents is a recorder; its outcomes are played here.
/// </summary>
[Trait("Category", "Component")]
public sealed class DistributedJobGrainTests(MonitoringCluster cluster) : IClassFixture<MonitoringCluster>
{
    private static readonly string Queue = DistributedJobAddress.QueueName;

    private DateTimeOffset Now => cluster.Clock.GetUtcNow();

    private IDistributedJobGrain Ranks(string jobId) => cluster.Client.GetGrain<IDistributedJobGrain>(jobId);

    /// <summary>A pool of its own per test, so the tests' placements do not meet.</summary>
    private async Task<string[]> Pool(string pool, int nodes)
    {
        var ids = Enumerable.Range(1, nodes).Select(n => $"{pool}-{n}").ToArray();
        foreach (var id in ids)
            await cluster.NodeAlive(id, pool);
        return ids;
    }

    private static JobSpec Spec(string pool, int ranks) => new() { Command = "/opt/ring", Args = ["--rounds", "40"], Pool = pool, Ranks = ranks };

    private async Task<(string JobId, LaunchRanks Launch)> RunningJob(string pool, int ranks)
    {
        var jobId = JobIds.New();
        await cluster.Job(jobId).Submit(Spec(pool, ranks));
        var launch = await cluster.Tap.WaitFor<LaunchRanks>(l => l.JobId == jobId, Queue);
        await Ranks(jobId).RecordRanksLaunched(launch.Epoch, null);
        return (jobId, launch);
    }

    private async Task<JobView> View(string jobId) => (await cluster.Job(jobId).GetView())!;

    private async Task<IReadOnlyList<string>> Leased(string jobId) =>
        (await cluster.Client.GetGrain<IRankFabricGrain>(0).Leases()).GetValueOrDefault(jobId) ?? [];

    [Fact]
    public async Task Ranks_are_placed_on_distinct_nodes_with_fabric_addresses_no_other_job_holds_and_launched_together()
    {
        var nodes = await Pool("dj-place", 3);
        var first = JobIds.New();

        var submitted = await cluster.Job(first).Submit(Spec("dj-place", 3));

        Assert.Equal(JobStatus.Queued, submitted.Status);
        Assert.Equal(nodes.Order(), submitted.Ranks.Select(r => r.NodeId).Order());
        Assert.All(submitted.Ranks, r => Assert.Equal(RankState.Placed, r.State));
        Assert.Equal([0, 1, 2], submitted.Ranks.Select(r => r.Rank));
        var launch = await cluster.Tap.WaitFor<LaunchRanks>(l => l.JobId == first, Queue);
        Assert.Equal(submitted.Ranks.Select(r => new RankAssignment(r.Rank, r.NodeId, r.Address)), launch.Ranks);
        Assert.Equal("/opt/ring", launch.Command);
        Assert.Equal(["--rounds", "40"], launch.Args);

        await Ranks(first).RecordRanksLaunched(launch.Epoch, null);
        var running = await View(first);
        Assert.Equal((JobStatus.Running, submitted.Ranks[0].NodeId), (running.Status, running.NodeId));
        Assert.All(running.Ranks, r => Assert.Equal(RankState.Running, r.State));

        // A second job at the same time gets other addresses.
        var (second, secondLaunch) = await RunningJob("dj-place", 2);
        Assert.Empty(secondLaunch.Ranks.Select(r => r.Address).Intersect(launch.Ranks.Select(r => r.Address)));
        Assert.Equal(launch.Ranks.Select(r => r.Address), await Leased(first));
        Assert.Equal(secondLaunch.Ranks.Select(r => r.Address), await Leased(second));
    }

    [Fact]
    public async Task More_ranks_than_nodes_in_the_pool_is_refused_and_nothing_is_recorded()
    {
        await Pool("dj-small", 2);
        var jobId = JobIds.New();

        var error = await Assert.ThrowsAsync<OperationRejectedException>(() => cluster.Job(jobId).Submit(Spec("dj-small", 3)));

        Assert.Equal(RejectionKind.Invalid, error.Kind);
        Assert.Equal("The job cannot be placed: a job of 3 ranks needs 3 distinct nodes in pool 'dj-small'; there are 2.", error.Message);
        Assert.Null(await cluster.Job(jobId).GetView());
        Assert.Empty(await Leased(jobId));
    }

    [Fact]
    public async Task A_bad_rank_count_is_refused_with_the_rule()
    {
        var error = await Assert.ThrowsAsync<OperationRejectedException>(() => cluster.Job(JobIds.New()).Submit(Spec("dj-bad", 0)));

        Assert.Equal(RejectionKind.Invalid, error.Kind);
        Assert.Contains($"'ranks' must be between 1 and {JobDefaults.MaximumRanks} (one node per rank).", error.Message);
    }

    [Fact]
    public async Task The_job_completes_when_every_rank_exited_0_and_its_addresses_are_free_again()
    {
        await Pool("dj-done", 2);
        var (jobId, launch) = await RunningJob("dj-done", 2);
        var (rank0, rank1) = (launch.Ranks[0], launch.Ranks[1]);

        await Ranks(jobId).RecordRankExited(new RankProcessExited(jobId, 1, rank1.NodeId, 0, 0, null, Now));
        var half = await View(jobId);
        Assert.Equal((JobStatus.Running, RankState.Running, RankState.Exited), (half.Status, half.Ranks[0].State, half.Ranks[1].State));

        await Ranks(jobId).RecordRankExited(new RankProcessExited(jobId, 0, rank0.NodeId, 0, 0, null, Now));
        var done = await View(jobId);
        Assert.Equal((JobStatus.Completed, 0), (done.Status, done.ExitCode));
        Assert.All(done.Ranks, r => Assert.Equal(RankState.Exited, r.State));
        Assert.Empty(await Leased(jobId));
    }

    [Fact]
    public async Task A_rank_that_fails_fails_the_job_and_its_peers_are_stopped()
    {
        await Pool("dj-fail", 3);
        var (jobId, launch) = await RunningJob("dj-fail", 3);

        await Ranks(jobId).RecordRankExited(new RankProcessExited(jobId, 1, launch.Ranks[1].NodeId, 0, 3, null, Now));

        var failed = await View(jobId);
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal($"rank 1 on {launch.Ranks[1].NodeId}: exit code 3", failed.StatusReason);
        Assert.Equal([RankState.Stopped, RankState.Failed, RankState.Stopped], failed.Ranks.Select(r => r.State));
        var stop = await cluster.Tap.WaitFor<StopRanks>(s => s.JobId == jobId, Queue);
        Assert.Equal([launch.Ranks[0], launch.Ranks[2]], stop.Ranks);
        // Without a checkpoint nothing can bring its ranks back at their addresses: they are free again.
        Assert.Empty(await Leased(jobId));
    }

    [Fact]
    public async Task A_coordinated_restore_that_fails_fails_the_job_and_it_can_be_restored_again()
    {
        await Pool("dj-refused", 4);
        var (jobId, launch) = await RunningJob("dj-refused", 2);
        var sequence = await cluster.Job(jobId).RequestCheckpoint(leaveRunning: true);
        await Ranks(jobId).RecordRanksCheckpointed(sequence, [.. launch.Ranks.Select(r => new RankCheckpoint(r.Rank, r.NodeId, r.Address, TimeSpan.Zero, TimeSpan.Zero))], null);
        var again = await cluster.Job(jobId).RequestCheckpoint(leaveRunning: true);
        await Ranks(jobId).RecordRanksCheckpointed(again, [.. launch.Ranks.Select(r => new RankCheckpoint(r.Rank, r.NodeId, r.Address, TimeSpan.Zero, TimeSpan.Zero))], null);
        await cluster.Job(jobId).RequestKill("test");
        await cluster.Tap.WaitFor<StopRanks>(s => s.JobId == jobId, Queue);
        await Ranks(jobId).RecordRanksStopped(null);
        Assert.Equal(JobStatus.Stopped, (await View(jobId)).Status);

        var incident = await cluster.Job(jobId).RequestRestore(again, "back");
        await Ranks(jobId).RecordRanksRestored(incident, again, [], "transfer failed in rank 1: bundle refused");

        var failed = await View(jobId);
        Assert.Equal((JobStatus.Failed, $"restore from checkpoint {again} failed: transfer failed in rank 1: bundle refused"), (failed.Status, failed.StatusReason));
        Assert.Equal(launch.Ranks.Select(r => r.Address), await Leased(jobId));
        await cluster.Job(jobId).RequestRestore(sequence, "the older one");
        Assert.Equal(JobStatus.Restoring, (await View(jobId)).Status);
    }

    [Fact]
    public async Task A_lost_node_of_one_rank_makes_the_job_lost()
    {
        await Pool("dj-lost", 2);
        var (jobId, launch) = await RunningJob("dj-lost", 2);

        await cluster.Job(jobId).RecordNodeLost(launch.Ranks[1].NodeId, Now);

        var lost = await View(jobId);
        Assert.Equal((JobStatus.Lost, RankState.Running, RankState.Lost), (lost.Status, lost.Ranks[0].State, lost.Ranks[1].State));
        Assert.StartsWith($"rank 1 is lost with node {launch.Ranks[1].NodeId}", lost.StatusReason);
    }

    [Fact]
    public async Task A_coordinated_checkpoint_is_one_entry_with_its_ranks_and_the_job_is_restored_from_it_on_other_nodes_at_the_same_addresses()
    {
        var nodes = await Pool("dj-move", 4);
        var (jobId, launch) = await RunningJob("dj-move", 2);

        var sequence = await cluster.Job(jobId).RequestCheckpoint(leaveRunning: false);
        var work = await cluster.Tap.WaitFor<CheckpointRanks>(c => c.JobId == jobId, Queue);
        Assert.Equal((sequence, true), (work.Sequence, work.Stop));
        Assert.Equal(launch.Ranks, work.Ranks);
        await Ranks(jobId).RecordRanksCheckpointed(sequence,
            [.. launch.Ranks.Select(r => new RankCheckpoint(r.Rank, r.NodeId, r.Address, TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(30)))], null);

        var stopped = await View(jobId);
        Assert.Equal(JobStatus.Stopped, stopped.Status);
        var checkpoint = Assert.Single(stopped.Checkpoints);
        Assert.Equal((sequence, launch.Ranks[0].NodeId, 2), (checkpoint.Sequence, checkpoint.NodeId, checkpoint.Ranks.Count));
        Assert.Equal(launch.Ranks.Select(r => (r.Rank, r.NodeId, r.Address)), checkpoint.Ranks.Select(r => (r.Rank, r.NodeId, r.Address)));
        Assert.All(stopped.Ranks, r => Assert.Equal(RankState.Stopped, r.State));

        var incident = await cluster.Job(jobId).RequestRestore(null, "move it");
        var restore = await cluster.Tap.WaitFor<RestoreRanks>(r => r.JobId == jobId, Queue);
        Assert.Equal((incident, sequence), (restore.IncidentId, restore.Sequence));
        Assert.Equal(launch.Ranks, restore.From);
        Assert.Equal(launch.Ranks.Select(r => r.Address), restore.To.Select(r => r.Address));
        Assert.Equal(nodes.Except(launch.Ranks.Select(r => r.NodeId)).Order(), restore.To.Select(r => r.NodeId).Order());
        Assert.Equal(JobStatus.Restoring, (await View(jobId)).Status);

        await Ranks(jobId).RecordRanksRestored(incident, sequence, restore.To, null);
        var back = await View(jobId);
        Assert.Equal((JobStatus.Running, restore.To[0].NodeId), (back.Status, back.NodeId));
        Assert.Equal(restore.To.Select(r => (r.Rank, r.NodeId, r.Address, RankState.Running)), back.Ranks.Select(r => (r.Rank, r.NodeId, r.Address, r.State)));
        Assert.Equal(launch.Ranks.Select(r => r.Address), await Leased(jobId));
    }

    [Fact]
    public async Task A_failed_coordinated_checkpoint_is_recorded_and_the_job_runs_on()
    {
        await Pool("dj-abort", 2);
        var (jobId, _) = await RunningJob("dj-abort", 2);

        var sequence = await cluster.Job(jobId).RequestCheckpoint(leaveRunning: true);
        await Ranks(jobId).RecordRanksCheckpointed(sequence, null, "dump failed in rank 1: no space left");

        var view = await View(jobId);
        Assert.Equal((JobStatus.Running, null, 0), (view.Status, view.PendingCheckpoint, view.Checkpoints.Count));
        Assert.All(view.Ranks, r => Assert.Equal(RankState.Running, r.State));
        Assert.Contains("CheckpointFailed", await cluster.StoredTypes(jobId));
    }

    [Fact]
    public async Task A_migration_to_another_pool_stops_every_rank_with_one_checkpoint_and_restores_them_on_nodes_of_that_pool()
    {
        await Pool("dj-mig-a", 2);
        var west = await Pool("dj-mig-b", 2);
        var (jobId, launch) = await RunningJob("dj-mig-a", 2);
        var migrations = cluster.Silo.GetRequiredService<IJobMigrations>();

        var refused = await Assert.ThrowsAsync<OperationRejectedException>(() => migrations.MigrateAsync(jobId, west[0], null));
        Assert.Equal(RejectionKind.Invalid, refused.Kind);
        var started = await migrations.MigrateAsync(jobId, null, "dj-mig-b");

        Assert.Equal((launch.Ranks[0].NodeId, "pool dj-mig-b"), (started.SourceNodeId, started.TargetNodeId));
        var checkpoint = await cluster.Tap.WaitFor<CheckpointRanks>(c => c.JobId == jobId, Queue);
        Assert.True(checkpoint.Stop);
        await Ranks(jobId).RecordRanksCheckpointed(checkpoint.Sequence,
            [.. launch.Ranks.Select(r => new RankCheckpoint(r.Rank, r.NodeId, r.Address, TimeSpan.Zero, TimeSpan.Zero))], null);
        var restore = await cluster.Tap.WaitFor<RestoreRanks>(r => r.JobId == jobId, Queue, seconds: 20);
        Assert.Equal(west.Order(), restore.To.Select(r => r.NodeId).Order());
        Assert.Equal(launch.Ranks.Select(r => r.Address), restore.To.Select(r => r.Address));
    }

    [Fact]
    public async Task A_coordinated_checkpoint_whose_outcome_never_comes_is_given_up_and_every_rank_is_unlocked()
    {
        var nodes = await Pool("dj-stuck", 2);
        var (jobId, launch) = await RunningJob("dj-stuck", 2);
        var sequence = await cluster.Job(jobId).RequestCheckpoint(leaveRunning: true);
        await cluster.Tap.WaitFor<CheckpointRanks>(c => c.JobId == jobId, Queue);

        // The host driving it dies between lock and unlock: no outcome ever comes. The nodes keep heartbeating.
        for (var left = JobGrain.CheckpointAnswerTimeout + TimeSpan.FromSeconds(5); left > TimeSpan.Zero; left -= NodeLivenessDetector.AssumedHeartbeatInterval)
        {
            cluster.Clock.Advance(NodeLivenessDetector.AssumedHeartbeatInterval);
            foreach (var node in nodes)
                await cluster.NodeHeartbeat(node, "dj-stuck");
        }

        var unlock = await cluster.Tap.WaitFor<UnlockRanks>(u => u.JobId == jobId, Queue, seconds: 20);
        Assert.Equal(sequence, unlock.Sequence);
        Assert.Equal(launch.Ranks, unlock.Ranks);
        var view = await View(jobId);
        Assert.Equal((JobStatus.Running, null, 0), (view.Status, view.PendingCheckpoint, view.Checkpoints.Count));

        // A late outcome of the given-up checkpoint changes nothing.
        await Ranks(jobId).RecordRanksCheckpointed(sequence, [.. launch.Ranks.Select(r => new RankCheckpoint(r.Rank, r.NodeId, r.Address, TimeSpan.Zero, TimeSpan.Zero))], null);
        Assert.Empty((await View(jobId)).Checkpoints);
    }

    private static RankSample RankSample(string jobId, int rank, double cpu, string state) =>
        new(rank, 0, new JobSample { JobId = jobId, Pid = 700 + rank, State = state, CpuSeconds = cpu });

    [Fact]
    public async Task A_stopped_rank_stalls_the_job_naming_it_and_its_node_the_stall_only_alerts_and_ends_when_the_rank_moves_again()
    {
        await Pool("dj-stall", 2);
        var jobId = JobIds.New();
        await cluster.Job(jobId).Submit(Spec("dj-stall", 2) with { StallThreshold = TimeSpan.FromSeconds(10) });
        var launch = await cluster.Tap.WaitFor<LaunchRanks>(l => l.JobId == jobId, Queue);
        await Ranks(jobId).RecordRanksLaunched(launch.Epoch, null);
        var (rank0, rank1) = (launch.Ranks[0], launch.Ranks[1]);
        // A heartbeat of both nodes each second (so neither is found lost), each with its rank's sample.
        async Task Beat(double cpu0, double cpu1, string state1)
        {
            cluster.Clock.Advance(TimeSpan.FromSeconds(1));
            await cluster.NodeHeartbeat(rank0.NodeId, "dj-stall");
            await cluster.NodeHeartbeat(rank1.NodeId, "dj-stall");
            await Ranks(jobId).RecordRankSamples(rank0.NodeId, [RankSample(jobId, 0, cpu0, "R")], Now);
            await Ranks(jobId).RecordRankSamples(rank1.NodeId, [RankSample(jobId, 1, cpu1, state1)], Now);
        }

        await Beat(1, 1, "R");
        await Beat(2, 2, "R");
        var lastMove = Now;
        // SIGSTOP of rank 1: its CPU stands still, its state is T; rank 0 goes on. Due one threshold after rank 1's last move.
        for (var second = 1; second < 10; second++)
            await Beat(2 + second, 2, "T");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Empty(cluster.Tap.All<JobStallDetected>(m => m.JobId == jobId));
        await Beat(12, 2, "T");

        var detected = await cluster.Tap.WaitFor<JobStallDetected>(m => m.JobId == jobId);
        Assert.Equal((rank1.NodeId, StallAction.AlertOnly, lastMove, lastMove.AddSeconds(10)), (detected.NodeId, detected.Action, detected.LastProgressAt, detected.At));
        var stalled = await View(jobId);
        Assert.Equal((JobStatus.Running, true), (stalled.Status, stalled.Stalled));
        Assert.Equal($"stalled: no activity for 00:00:10 (threshold 00:00:10) from rank 1 on {rank1.NodeId} (process stopped, state T)", stalled.StatusReason);
        Assert.Equal([(Now, "R"), (lastMove, "T")], stalled.Ranks.Select(r => (r.LastActivityAt, r.ProcessState)));
        // The default policy would restore the job, but it has no coordinated checkpoint: the stall only alerts, and the decision says so.
        var types = await cluster.StoredTypes(jobId);
        Assert.Equal(["JobStalled", "RecoveryPolicyApplied"], types.Where(t => t is "JobStalled" or "RecoveryPolicyApplied" or "RestoreRequested"));
        Assert.Empty(cluster.Tap.AllOn<RestoreRanks>(Queue, r => r.JobId == jobId));
        // 24 samples, 8 events: each rank's first sample and first move, rank 0 once per refresh (2.5 s), rank 1's SIGSTOP.
        Assert.Equal(8, types.Count(t => t == "RankActivityRecorded"));

        // SIGCONT: the state changes, then the rank moves: the stall ends.
        await Beat(13, 2, "R");
        Assert.True((await View(jobId)).Stalled);
        await Beat(14, 3, "R");
        var moving = await View(jobId);
        Assert.Equal((false, null, "R"), (moving.Stalled, moving.StatusReason, moving.Ranks[1].ProcessState));
    }

    /// <summary>A running job of two ranks with coordinated checkpoint 1, whose rank 1 then stops (SIGSTOP) until the job stalls.</summary>
    private async Task<(string JobId, LaunchRanks Launch, JobStallDetected? Alerted)> StalledJobWithCheckpoint(string pool)
    {
        await Pool(pool, 4);
        var jobId = JobIds.New();
        await cluster.Job(jobId).Submit(Spec(pool, 2) with { StallThreshold = TimeSpan.FromSeconds(5) });
        var launch = await cluster.Tap.WaitFor<LaunchRanks>(l => l.JobId == jobId, Queue);
        await Ranks(jobId).RecordRanksLaunched(launch.Epoch, null);
        var sequence = await cluster.Job(jobId).RequestCheckpoint(leaveRunning: true);
        await Ranks(jobId).RecordRanksCheckpointed(sequence, [.. launch.Ranks.Select(r => new RankCheckpoint(r.Rank, r.NodeId, r.Address, TimeSpan.Zero, TimeSpan.Zero))], null);
        var nodes = Enumerable.Range(1, 4).Select(n => $"{pool}-{n}").ToArray();
        // A beat a (fake) second until the grain's watch, which runs on its own, finds the stall.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (var second = 0; !(await View(jobId)).Stalled; second++)
        {
            Assert.True(DateTime.UtcNow < deadline, "the job did not stall within 30 s");
            if (second >= 8)
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            cluster.Clock.Advance(TimeSpan.FromSeconds(1));
            foreach (var node in nodes)
                await cluster.NodeHeartbeat(node, pool);
            await Ranks(jobId).RecordRankSamples(launch.Ranks[0].NodeId, [RankSample(jobId, 0, 1 + second, "R")], Now);
            await Ranks(jobId).RecordRankSamples(launch.Ranks[1].NodeId, [RankSample(jobId, 1, 1, "T")], Now);
        }
        return (jobId, launch, cluster.Tap.All<JobStallDetected>(m => m.JobId == jobId).FirstOrDefault());
    }

    [Fact]
    public async Task A_stalled_job_with_a_coordinated_checkpoint_is_stopped_rank_by_rank_and_restored_from_it_by_its_policy()
    {
        var (jobId, launch, alerted) = await StalledJobWithCheckpoint("dj-heal");

        // Every rank is told to stop, and the recovery saga is not asked (it restores single processes).
        var stop = await cluster.Tap.WaitFor<StopRanks>(s => s.JobId == jobId, Queue);
        Assert.Equal(launch.Ranks, stop.Ranks);
        Assert.Null(alerted);
        Assert.Equal(["JobStalled", "RecoveryPolicyApplied", "DistributedRestorePlanned"],
            (await cluster.StoredTypes(jobId)).Where(t => t is "JobStalled" or "RecoveryPolicyApplied" or "DistributedRestorePlanned" or "RestoreRequested"));

        await Ranks(jobId).RecordRanksStopped(null);

        var restore = await cluster.Tap.WaitFor<RestoreRanks>(r => r.JobId == jobId, Queue);
        Assert.Equal(1, restore.Sequence);
        Assert.Equal(launch.Ranks, restore.From);
        var stall = (await cluster.StoredEvents(jobId)).OfType<Caas.Contracts.Events.JobStalled>().Single();
        Assert.Equal(stall.IncidentId, restore.IncidentId);
        var view = await View(jobId);
        Assert.Equal(JobStatus.Restoring, view.Status);
        Assert.StartsWith($"restoring from checkpoint 1: rank 1 on {launch.Ranks[1].NodeId} stalled", view.StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stalled_jobs_restore_is_dropped_when_its_ranks_could_not_all_be_stopped()
    {
        var (jobId, _, _) = await StalledJobWithCheckpoint("dj-unstoppable");
        await cluster.Tap.WaitFor<StopRanks>(s => s.JobId == jobId, Queue);

        await Ranks(jobId).RecordRanksStopped($"dj-unstoppable-2 did not answer Stop within 120 s");

        var view = await View(jobId);
        Assert.Equal(JobStatus.Stopped, view.Status);
        Assert.Equal("stopped to restore checkpoint 1 (rank 1 on dj-unstoppable-2 stalled); dj-unstoppable-2 did not answer Stop within 120 s", view.StatusReason);
        Assert.DoesNotContain("RestoreRequested", await cluster.StoredTypes(jobId));
        Assert.Empty(cluster.Tap.AllOn<RestoreRanks>(Queue, r => r.JobId == jobId));
    }

    [Fact]
    public async Task A_node_heartbeat_on_the_bus_carries_its_rank_samples_to_the_distributed_jobs_grain()
    {
        await Pool("dj-beat", 2);
        var (jobId, launch) = await RunningJob("dj-beat", 2);
        var rank1 = launch.Ranks[1];
        var bus = cluster.Silo.GetRequiredService<MassTransit.IBus>();

        await bus.Publish(new NodeHeartbeat(new NodeStatus { NodeId = rank1.NodeId, Pool = "dj-beat", JobSlots = 4, RunningJobs = 1 }, [], Now,
            [RankSample(jobId, 1, 3, "T"), RankSample("not-a-job", 0, 1, "R")]));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await View(jobId)).Ranks[1].ProcessState != "T")
        {
            Assert.True(DateTime.UtcNow < deadline, "rank 1's sample did not reach its job within 10 s");
            await Task.Delay(50);
        }
        Assert.Null((await View(jobId)).Ranks[0].ProcessState);
        Assert.Single(await cluster.StoredTypes(jobId), "RankActivityRecorded");
    }

    [Fact]
    public async Task Samples_of_a_rank_from_a_node_it_does_not_run_on_are_ignored()
    {
        var nodes = await Pool("dj-wrong", 3);
        var (jobId, launch) = await RunningJob("dj-wrong", 2);
        var elsewhere = nodes.Except(launch.Ranks.Select(r => r.NodeId)).Single();

        await Ranks(jobId).RecordRankSamples(elsewhere, [RankSample(jobId, 1, 5, "T")], Now);

        Assert.Null((await View(jobId)).Ranks[1].ProcessState);
        Assert.DoesNotContain("RankActivityRecorded", await cluster.StoredTypes(jobId));
    }
}
