using Caas.Contracts.Bus;
using Caas.Contracts.Events;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;

namespace Caas.Monitoring.Tests;

/// <summary>
/// A policy that moves a job still running (stalled or starved on its node) first takes a stop-mode checkpoint of it, so
/// the move starts from the job's state at the incident, not from its last periodic checkpoint; if that checkpoint fails
/// or goes unanswered, the newest earlier checkpoint is restored and the copy still running is killed by its epoch.
/// </summary>
[Trait("Category", "Component")]
public sealed class PolicyMoveCheckpointTests(MonitoringCluster cluster) : IClassFixture<MonitoringCluster>
{
    private static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(2);
    private DateTimeOffset Now => cluster.Clock.GetUtcNow();

    /// <summary>A running job with checkpoint 1 at progress 0.5, that then reached 0.7 and stalls (its policy migrates it).</summary>
    private async Task<string> StalledJob(StallResponse onStall = StallResponse.Migrate)
    {
        await cluster.NodeAlive("node-1");
        var id = JobIds.New();
        var job = cluster.Job(id);
        await job.Submit(JobEvents.Spec(StallAfter) with { Policy = new RecoveryPolicy { OnStall = onStall, CooldownSeconds = 0 } });
        await job.RecordLaunched(new JobLaunched(id, "node-1", 4242, Now));
        var first = await job.RequestCheckpoint(leaveRunning: true);
        await job.RecordCheckpointCompleted(new CheckpointCompleted(id, "node-1", new JobEvents(id, Now).Checkpoint(0, first, 0.5), Now));
        await job.RecordHeartbeat("node-1", Sample(id, 0.7), Now);
        await cluster.AdvanceHeartbeating(StallAfter, "node-1");
        return id;
    }

    /// <summary>A running job that never took a checkpoint, at progress 0.3, that stalls (its policy migrates it).</summary>
    private async Task<string> StalledJobWithoutCheckpoint()
    {
        await cluster.NodeAlive("node-1");
        var id = JobIds.New();
        var job = cluster.Job(id);
        await job.Submit(JobEvents.Spec(StallAfter) with { Policy = new RecoveryPolicy { OnStall = StallResponse.Migrate, CooldownSeconds = 0 } });
        await job.RecordLaunched(new JobLaunched(id, "node-1", 4242, Now));
        await job.RecordHeartbeat("node-1", Sample(id, 0.3), Now);
        await cluster.AdvanceHeartbeating(StallAfter, "node-1");
        return id;
    }

    private static JobSample Sample(string jobId, double progress) =>
        new() { JobId = jobId, Pid = 4242, State = "S", CpuSeconds = 1, RssBytes = 8 << 20, Progress = progress };

    [Fact]
    public async Task A_stalled_job_its_policy_migrates_is_checkpointed_in_stop_mode_first_and_moved_from_that_checkpoint()
    {
        var id = await StalledJob();
        var job = cluster.Job(id);

        var checkpoint = await cluster.Tap.WaitFor<CheckpointJob>(m => m.JobId == id && m.Sequence == 2, queue: "agent-node-1");
        Assert.False(checkpoint.LeaveRunning);
        Assert.Empty(cluster.Tap.All<RecoveryRequested>(m => m.JobId == id));
        Assert.Equal(JobStatus.Running, (await job.GetView())!.Status);

        await job.RecordCheckpointCompleted(new CheckpointCompleted(id, "node-1", new JobEvents(id, Now).Checkpoint(0, 2, 0.7, leaveRunning: false), Now));

        var recovery = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.JobId == id);
        Assert.Equal((RecoveryAction.MoveToOtherNode, PolicyTrigger.Stall, 2, 0.7, "node-1"),
            (recovery.Action, recovery.Trigger, recovery.Sequence, recovery.CheckpointProgress, recovery.Targets!.AvoidNodeId));
        Assert.Equal([1], recovery.FallbackSequences!);
        Assert.Equal("checkpoint 2 taken from the running job at the incident (progress 0.7)", recovery.CheckpointNote);
        Assert.Equal(JobStatus.Restoring, (await job.GetView())!.Status);
        Assert.Equal(["JobStalled", "RecoveryPolicyApplied", "RecoveryCheckpointRequested", "CheckpointRequested", "CheckpointTaken", "RestoreRequested"],
            (await cluster.StoredTypes(id)).Where(t => t is not ("HeartbeatRecorded" or "ProgressReported")).TakeLast(6));
        Assert.Empty(cluster.Tap.All<KillJob>(m => m.JobId == id));
    }

    [Fact]
    public async Task A_refused_checkpoint_at_the_incident_moves_the_job_from_its_newest_earlier_checkpoint_and_kills_the_running_copy()
    {
        var id = await StalledJob();
        var job = cluster.Job(id);
        await cluster.Tap.WaitFor<CheckpointJob>(m => m.JobId == id && m.Sequence == 2, queue: "agent-node-1");

        await job.RecordCheckpointRejected(new CheckpointRejected(id, "node-1", 2, "criu dump failed", Now));

        var recovery = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.JobId == id);
        Assert.Equal((1, 0.5), (recovery.Sequence, recovery.CheckpointProgress));
        Assert.Equal("checkpoint 2 at the incident failed (criu dump failed); the newest earlier one, 1 (progress 0.5), is restored instead", recovery.CheckpointNote);
        var kill = await cluster.Tap.WaitFor<KillJob>(m => m.JobId == id, queue: "agent-node-1");
        // The restore got the next epoch; the copy still running has the one before, and only it is killed.
        Assert.Equal(recovery.Epoch - 1, kill.UpToEpoch);
        Assert.Equal(JobStatus.Restoring, (await job.GetView())!.Status);
    }

    [Fact]
    public async Task An_unanswered_checkpoint_at_the_incident_is_given_up_after_its_timeout_and_the_newest_earlier_one_is_moved()
    {
        var id = await StalledJob();
        await cluster.Tap.WaitFor<CheckpointJob>(m => m.JobId == id && m.Sequence == 2, queue: "agent-node-1");

        await cluster.AdvanceHeartbeating(Grains.JobGrain.RecoveryCheckpointTimeout - TimeSpan.FromSeconds(1), "node-1");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Empty(cluster.Tap.All<RecoveryRequested>(m => m.JobId == id));

        await cluster.AdvanceHeartbeating(TimeSpan.FromSeconds(1), "node-1");
        var recovery = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.JobId == id);
        Assert.Equal(1, recovery.Sequence);
        Assert.StartsWith("checkpoint 2 at the incident failed (no answer from node node-1 within 00:02:00)", recovery.CheckpointNote, StringComparison.Ordinal);
        Assert.Contains("CheckpointFailed", await cluster.StoredTypes(id));
    }

    [Fact]
    public async Task A_stalled_job_that_never_took_a_checkpoint_is_checkpointed_at_the_incident_and_moved_from_it()
    {
        var id = await StalledJobWithoutCheckpoint();
        var job = cluster.Job(id);

        var checkpoint = await cluster.Tap.WaitFor<CheckpointJob>(m => m.JobId == id && m.Sequence == 1, queue: "agent-node-1");
        Assert.False(checkpoint.LeaveRunning);
        await job.RecordCheckpointCompleted(new CheckpointCompleted(id, "node-1", new JobEvents(id, Now).Checkpoint(0, 1, 0.3, leaveRunning: false), Now));

        var recovery = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.JobId == id);
        Assert.Equal((RecoveryAction.MoveToOtherNode, 1, 0.3), (recovery.Action, recovery.Sequence, recovery.CheckpointProgress));
        Assert.Empty(recovery.FallbackSequences!);
        Assert.Equal(JobStatus.Restoring, (await job.GetView())!.Status);
    }

    [Fact]
    public async Task A_failed_checkpoint_of_a_job_without_an_earlier_one_drops_the_move_and_leaves_the_job_running()
    {
        var id = await StalledJobWithoutCheckpoint();
        var job = cluster.Job(id);
        await cluster.Tap.WaitFor<CheckpointJob>(m => m.JobId == id && m.Sequence == 1, queue: "agent-node-1");

        await job.RecordCheckpointRejected(new CheckpointRejected(id, "node-1", 1, "criu dump failed", Now));

        var view = (await job.GetView())!;
        Assert.Equal(JobStatus.Running, view.Status);
        var decision = (await cluster.StoredEvents(id)).OfType<RecoveryPolicyApplied>().Last().Decision;
        Assert.Equal(RecoveryAction.None, decision.Action);
        Assert.EndsWith("dropped: checkpoint 1 failed (criu dump failed) and no earlier checkpoint is left", decision.Reason, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(cluster.Tap.All<RecoveryRequested>(m => m.JobId == id));
        Assert.Empty(cluster.Tap.All<KillJob>(m => m.JobId == id));
    }

    [Fact]
    public async Task A_stalled_job_restarted_in_place_is_restored_from_the_checkpoint_before_the_stall_without_a_new_one()
    {
        var id = await StalledJob(StallResponse.RestartFromCheckpoint);

        var recovery = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.JobId == id);
        Assert.Equal((RecoveryAction.RestartInPlace, 1, null), (recovery.Action, recovery.Sequence, recovery.CheckpointNote));
        Assert.Empty(cluster.Tap.All<CheckpointJob>(m => m.JobId == id && m.Sequence == 2));
    }
}
