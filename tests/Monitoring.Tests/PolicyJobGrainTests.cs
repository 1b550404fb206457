using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;
using Caas.Contracts.Services;
using Caas.Monitoring.Grains.Nodes;
using Orleans.Core.Internal;
using Orleans.Runtime;

namespace Caas.Monitoring.Tests;

/// <summary>The job grain under a recovery policy: periodic checkpoints on its clock, failures restarted, backoffs waited out.</summary>
[Trait("Category", "Component")]
public sealed class PolicyJobGrainTests(MonitoringCluster cluster) : IClassFixture<MonitoringCluster>
{
    private DateTimeOffset Now => cluster.Clock.GetUtcNow();

    private async Task<string> RunningJob(RecoveryPolicy policy)
    {
        await cluster.NodeAlive("node-1");
        var id = JobIds.New();
        await cluster.Job(id).Submit(JobEvents.Spec(TimeSpan.FromHours(1)) with { Policy = policy });
        await cluster.Job(id).RecordLaunched(new JobLaunched(id, "node-1", 4242, Now));
        return id;
    }

    private async Task Checkpointed(string id, int sequence) =>
        await cluster.Job(id).RecordCheckpointCompleted(new CheckpointCompleted(id, "node-1", new JobEvents(id, Now).Checkpoint(0, sequence, 0.5), Now));

    [Fact]
    public async Task A_fixed_interval_checkpoints_the_running_job_every_interval_and_the_schedule_survives_reactivation()
    {
        var id = await RunningJob(new RecoveryPolicy { Checkpoints = new CheckpointSchedule { Mode = CheckpointMode.Fixed, IntervalSeconds = 30 } });
        var startedAt = Now;
        var view = (await cluster.Job(id).GetView())!;
        Assert.Equal(("fixed: every 30 s", startedAt.AddSeconds(30)), (view.CheckpointInterval!.Explanation, view.CheckpointInterval.NextDueAt));
        Assert.Equal("job", view.Policy!.Source);

        await cluster.AdvanceHeartbeating(TimeSpan.FromSeconds(29), "node-1");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Empty(cluster.Tap.All<CheckpointJob>(m => m.JobId == id));

        await cluster.AdvanceHeartbeating(TimeSpan.FromSeconds(1), "node-1");
        var first = await cluster.Tap.WaitFor<CheckpointJob>(m => m.JobId == id, queue: "agent-node-1");
        Assert.Equal((1, true), (first.Sequence, first.LeaveRunning));
        await Checkpointed(id, 1);
        var checkpointedAt = Now;

        // The schedule is folded from the stream, so a fresh activation carries on where the last one stopped.
        await cluster.Client.GetGrain<IGrainManagementExtension>(cluster.Job(id).GetGrainId()).DeactivateOnIdle();
        Assert.Equal(checkpointedAt.AddSeconds(30), (await cluster.Job(id).GetView())!.CheckpointInterval!.NextDueAt);
        await cluster.AdvanceHeartbeating(TimeSpan.FromSeconds(30), "node-1");
        var second = await cluster.Tap.WaitFor<CheckpointJob>(m => m.JobId == id && m.Sequence == 2, queue: "agent-node-1");
        Assert.True(second.LeaveRunning);
        Assert.Equal(JobStatus.Running, (await cluster.Job(id).GetView())!.Status);
    }

    [Fact]
    public async Task No_periodic_checkpoint_is_requested_while_one_is_in_progress()
    {
        var id = await RunningJob(new RecoveryPolicy { Checkpoints = new CheckpointSchedule { Mode = CheckpointMode.Fixed, IntervalSeconds = 10 } });

        await cluster.AdvanceHeartbeating(TimeSpan.FromSeconds(10), "node-1");
        await cluster.Tap.WaitFor<CheckpointJob>(m => m.JobId == id, queue: "agent-node-1");
        await cluster.AdvanceHeartbeating(TimeSpan.FromSeconds(25), "node-1");
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.Single(cluster.Tap.All<CheckpointJob>(m => m.JobId == id));
        Assert.Equal(1, (await cluster.Job(id).GetView())!.PendingCheckpoint);
    }

    [Fact]
    public async Task A_failed_job_is_restarted_by_policy_and_a_second_failure_waits_out_the_backoff()
    {
        var id = await RunningJob(new RecoveryPolicy { OnFailure = FailureResponse.Restart, CooldownSeconds = 0, BackoffSeconds = 10 });
        var job = cluster.Job(id);
        await job.RequestCheckpoint(leaveRunning: true);
        await Checkpointed(id, 1);

        await job.RecordExited(new JobProcessExited(id, "node-1", 3, null, Now));
        var first = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.JobId == id);
        Assert.Equal((PolicyTrigger.Failure, RecoveryAction.RestartInPlace, 1, 1, "node-1"), (first.Trigger, first.Action, first.Attempt, first.Sequence, first.NodeId));
        Assert.Equal("failed: exit code 3", first.Reason);
        Assert.Equal(JobStatus.Restoring, (await job.GetView())!.Status);
        var firstAt = Now;

        await job.RecordRestoreCompleted(new RestoreCompleted(id, "node-1", first.IncidentId, 1, 5151, Now));
        await job.RecordExited(new JobProcessExited(id, "node-1", 4, null, Now));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Single(cluster.Tap.All<RecoveryRequested>(m => m.JobId == id));
        Assert.Equal(JobStatus.Failed, (await job.GetView())!.Status);

        cluster.Clock.Advance(firstAt.AddSeconds(10) - Now);
        var second = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.JobId == id && m.IncidentId != first.IncidentId);
        Assert.Equal((PolicyTrigger.Failure, 2), (second.Trigger, second.Attempt));
        Assert.StartsWith("failure: restart from the newest checkpoint, attempt 2 of 5 in 1 h, after a 10 s backoff", second.Reason, StringComparison.Ordinal);
        Assert.Equal(JobStatus.Restoring, (await job.GetView())!.Status);
    }

    [Fact]
    public async Task A_job_policy_can_be_set_later_and_a_bad_one_is_refused_changing_nothing()
    {
        var id = await RunningJob(new RecoveryPolicy());
        var job = cluster.Job(id);
        var versionBefore = (await job.GetView())!.Version;

        var error = await Assert.ThrowsAsync<OperationRejectedException>(() => job.SetPolicy(new RecoveryPolicy { MaxAttempts = 0 }));
        Assert.Equal((RejectionKind.Invalid, "The policy is invalid: 'policy.maxAttempts' must be between 1 and 100."), (error.Kind, error.Message));
        Assert.Equal(versionBefore, (await job.GetView())!.Version);

        var set = await job.SetPolicy(new RecoveryPolicy { OnStall = StallResponse.Migrate });
        Assert.Equal((StallResponse.Migrate, "job"), (set.Policy.OnStall, set.Source));
        Assert.Equal(StallResponse.Migrate, (await job.GetPolicy()).Policy.OnStall);
    }

    [Fact]
    public async Task A_lost_node_has_its_job_restored_elsewhere_with_the_lost_node_to_avoid()
    {
        var id = await RunningJob(new RecoveryPolicy { AllowedPools = ["default", "cloud-b"], AllowCrossPool = true });
        var job = cluster.Job(id);
        await job.RequestCheckpoint(leaveRunning: true);
        await Checkpointed(id, 1);

        await job.RecordNodeLost("node-2", Now);
        Assert.Empty(cluster.Tap.All<RecoveryRequested>(m => m.JobId == id));
        await job.RecordNodeLost("node-1", Now);

        var recovery = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.JobId == id);
        Assert.Equal((PolicyTrigger.NodeLost, RecoveryAction.MoveToOtherNode, 1), (recovery.Trigger, recovery.Action, recovery.Attempt));
        var targets = recovery.Targets!;
        Assert.Equal(("node-1", "default", true, false), (targets.AvoidNodeId, targets.CurrentPool, targets.AllowCrossPool, targets.RequireOtherPool));
        Assert.Equal(["default", "cloud-b"], targets.AllowedPools);
        Assert.Equal(["JobNodeLost", "RecoveryPolicyApplied", "RestoreRequested"], (await cluster.StoredTypes(id)).TakeLast(3));
        Assert.Equal(JobStatus.Restoring, (await job.GetView())!.Status);
    }

    [Fact]
    public async Task The_node_directory_counts_a_pools_node_losses_over_its_node_time()
    {
        await cluster.NodeAlive("node-9", pool: "flaky");
        var since = Now;
        cluster.Clock.Advance(TimeSpan.FromHours(1));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await cluster.Health("node-9") != NodeHealth.Lost && DateTime.UtcNow < deadline)
            await Task.Delay(50);

        var reliability = await cluster.Client.GetGrain<IPoolReliabilityGrain>(0).Reliability("flaky");

        Assert.Equal(1, reliability.Failures);
        Assert.True(reliability.NodeTime >= Now - since, $"node time {reliability.NodeTime} is less than the hour the node was known");
        Assert.Equal(reliability.NodeTime, reliability.MeanTimeBetweenFailures);
        Assert.Equal("flaky", await cluster.Client.GetGrain<IPoolReliabilityGrain>(0).PoolOf("node-9"));
    }

    [Fact]
    public async Task A_pools_node_losses_and_node_time_survive_a_restart_of_the_node_directory()
    {
        await cluster.NodeAlive("node-8", pool: "brittle");
        cluster.Clock.Advance(TimeSpan.FromHours(2));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await cluster.Health("node-8") != NodeHealth.Lost && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(NodeHealth.Lost, await cluster.Health("node-8"));
        Assert.Equal(1, (await cluster.Client.GetGrain<IPoolReliabilityGrain>(0).Reliability("brittle")).Failures);

        // A restarted directory knows agents again only when they heartbeat; what it learnt of the pool's failures is journaled.
        await cluster.Client.GetGrain<IGrainManagementExtension>(cluster.Client.GetGrain<INodeLivenessGrain>(0).GetGrainId()).DeactivateOnIdle();
        await cluster.NodeAlive("node-8", pool: "brittle");
        var reliability = await cluster.Client.GetGrain<IPoolReliabilityGrain>(0).Reliability("brittle");

        Assert.Equal(1, reliability.Failures);
        Assert.True(reliability.NodeTime >= TimeSpan.FromHours(2), $"node time {reliability.NodeTime} forgot the two hours before the restart");
    }
}
