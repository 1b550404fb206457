using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Monitoring.Grains;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class JobStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly JobEvents _job = new("job-00000000bb", T0);

    private static JobState Fold(params IJobEvent[] events)
    {
        var state = new JobState();
        foreach (var e in events)
            state.Apply(e);
        return state;
    }

    [Fact]
    public void A_submitted_job_waits_in_the_queue_with_the_reason()
    {
        var state = Fold(_job.Submitted(spec: JobEvents.Spec(pool: "gpu")));

        Assert.Equal(JobStatus.Queued, state.Status);
        Assert.Equal("waiting for a live node with a free slot in pool 'gpu'", state.StatusReason);
        Assert.Null(state.NodeId);
        Assert.Equal("sleep", state.Name);
        Assert.Equal(1, state.Version);
    }

    [Fact]
    public void A_job_that_runs_checkpoints_and_exits_non_zero_is_failed_with_its_checkpoints_kept()
    {
        var state = Fold(
            _job.Submitted(), _job.Placed(), _job.Started(1),
            _job.Heartbeat(2, cpu: 1, progress: 0.25), _job.Progress(2, 0.25, "quarter"),
            _job.CheckpointRequested(3, 1), _job.CheckpointTaken(4, 1, 0.25),
            _job.Exited(5, 3, null, "exit code 3"));

        Assert.Equal(JobStatus.Failed, state.Status);
        Assert.Equal("exit code 3", state.StatusReason);
        Assert.Equal(3, state.ExitCode);
        Assert.Null(state.Pid);
        Assert.Equal(0.25, state.Progress);
        Assert.Equal("quarter", state.ProgressMessage);
        Assert.Equal([1], state.Checkpoints.Select(c => c.Sequence));
        Assert.Null(state.PendingCheckpoint);
        Assert.Equal(8, state.Version);
        Assert.Equal(8, state.ToView().Version);
    }

    [Fact]
    public void A_job_killed_on_request_is_stopped_not_failed()
    {
        var state = Fold(_job.Submitted(), _job.Placed(), _job.Started(1), _job.KillRequested(2), _job.Exited(3, null, 9, "killed on request"));

        Assert.Equal(JobStatus.Stopped, state.Status);
        Assert.Equal("killed on request", state.StatusReason);
        Assert.Equal(9, state.ExitSignal);
        Assert.False(state.KillRequested);
    }

    [Fact]
    public void A_job_exiting_zero_is_completed_without_a_reason()
    {
        var state = Fold(_job.Submitted(), _job.Placed(), _job.Started(1), _job.Exited(3, 0, null, "exit code 0"));

        Assert.Equal(JobStatus.Completed, state.Status);
        Assert.Null(state.StatusReason);
        Assert.Equal(0, state.ExitCode);
    }

    [Fact]
    public void A_job_that_cannot_start_is_failed_with_the_agents_reason()
    {
        var state = Fold(_job.Submitted(), _job.Placed(), _job.StartFailed(1, "no such file: /usr/bin/sleep"));

        Assert.Equal(JobStatus.Failed, state.Status);
        Assert.Equal("could not start on node node-1: no such file: /usr/bin/sleep", state.StatusReason);
    }

    [Fact]
    public void A_restored_job_runs_on_its_new_node_from_its_checkpoints_progress_and_is_verified_by_a_heartbeat_at_that_progress()
    {
        var incident = Guid.NewGuid();
        var state = Fold(
            _job.Submitted(), _job.Placed(), _job.Started(1),
            _job.Progress(2, 0.4), _job.CheckpointRequested(3, 1), _job.CheckpointTaken(4, 1, 0.4),
            _job.Progress(5, 0.6), _job.Stalled(20, Guid.NewGuid(), 5),
            _job.RestoreRequested(21, incident, 1));

        Assert.Equal(JobStatus.Restoring, state.Status);
        Assert.Equal("restoring from checkpoint 1: restore requested by a user", state.StatusReason);
        Assert.Equal(incident, state.RestoringIncident);

        state.Apply(_job.Restored(22, incident, 1, node: "node-2", pid: 777));
        Assert.Equal(JobStatus.Running, state.Status);
        Assert.Equal("node-2", state.NodeId);
        Assert.Equal(777, state.Pid);
        Assert.Equal(0.4, state.Progress);
        Assert.False(state.IsStalled);
        Assert.Equal(T0.AddSeconds(22), state.LastActivityAt);
        Assert.Equal(incident, state.UnverifiedRestore);

        state.Apply(_job.Heartbeat(23, cpu: 5, progress: 0.39, node: "node-2"));
        Assert.Equal(incident, state.UnverifiedRestore);
        state.Apply(_job.Heartbeat(24, cpu: 6, progress: 0.4, node: "node-2"));
        Assert.Null(state.UnverifiedRestore);
    }

    [Fact]
    public void A_failed_restore_fails_the_job_and_a_failed_recovery_says_so()
    {
        var incident = Guid.NewGuid();
        IJobEvent[] restoring = [_job.Submitted(), _job.Placed(), _job.Started(1), _job.CheckpointRequested(2, 1), _job.CheckpointTaken(3, 1, null),
            _job.RestoreRequested(4, incident, 1)];
        var failedRestore = Fold([.. restoring, _job.RestoreFailed(5, incident, 1, "bad image")]);
        var failedRecovery = Fold([.. restoring, _job.RecoveryFinished(5, incident, false, "no node can take the job")]);

        Assert.Equal(JobStatus.Failed, failedRestore.Status);
        Assert.Equal("restore from checkpoint 1 failed: bad image", failedRestore.StatusReason);
        Assert.Equal(JobStatus.Failed, failedRecovery.Status);
        Assert.Equal("recovery failed: no node can take the job", failedRecovery.StatusReason);
        Assert.Equal(incident, failedRecovery.LastFinishedRecovery);
    }

    [Fact]
    public void A_refused_image_with_older_checkpoints_on_its_node_keeps_the_job_restoring_from_the_next_one()
    {
        var incident = Guid.NewGuid();
        var state = Fold(_job.Submitted(), _job.Placed(), _job.Started(1),
            _job.CheckpointRequested(2, 1), _job.CheckpointTaken(3, 1, 0.1),
            _job.CheckpointRequested(4, 2), _job.CheckpointTaken(5, 2, 0.2, node: "node-9"),
            _job.CheckpointRequested(6, 3), _job.CheckpointTaken(7, 3, 0.3),
            _job.RestoreRequested(8, incident, 3));

        Assert.Equal([1], state.FallbacksFor(3));
        Assert.Empty(state.FallbacksFor(1));
        state.Apply(_job.RestoreFailed(9, incident, 3, "bad signature"));
        Assert.Equal(JobStatus.Restoring, state.Status);
        Assert.Equal("restore from checkpoint 3 failed: bad signature; trying checkpoint 1", state.StatusReason);
        Assert.Equal(incident, state.RestoringIncident);

        state.Apply(_job.RestoreFailed(10, incident, 1, "bad signature"));
        Assert.Equal(JobStatus.Failed, state.Status);
        Assert.Equal("restore from checkpoint 1 failed: bad signature", state.StatusReason);
    }

    [Fact]
    public void Checkpoint_sequences_are_never_reused_even_after_a_failure()
    {
        var state = Fold(_job.Submitted(), _job.Placed(), _job.Started(1),
            _job.CheckpointRequested(2, 1), new CheckpointFailed(_job.JobId, 1, "criu failed", _job.At(3)));

        Assert.Null(state.PendingCheckpoint);
        Assert.Empty(state.Checkpoints);
        Assert.Equal(2, state.NextCheckpointSequence);
    }

    [Fact]
    public void A_checkpoint_that_stops_the_job_leaves_it_stopped()
    {
        var state = Fold(_job.Submitted(), _job.Placed(), _job.Started(1),
            _job.CheckpointRequested(2, 1, leaveRunning: false), _job.CheckpointTaken(3, 1, null, leaveRunning: false));

        Assert.Equal(JobStatus.Stopped, state.Status);
        Assert.Equal("stopped after checkpoint 1", state.StatusReason);
    }
}
