using System.Text.Json;
using Caas.Contracts.Bus;
using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;
using Caas.Contracts.Services;
using Caas.Monitoring.EventStore;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Component")]
public sealed class JobGrainTests(MonitoringCluster cluster) : IClassFixture<MonitoringCluster>
{
    private DateTimeOffset Now => cluster.Clock.GetUtcNow();

    private static JobSpec Spec(double stallSeconds = 60, string? pool = null, StallAction onStall = StallAction.AlertOnly) =>
        JobEvents.Spec(TimeSpan.FromSeconds(stallSeconds), pool, onStall);

    private async Task<string> RunningJob(JobSpec? spec = null, string node = "node-1")
    {
        await cluster.NodeAlive(node);
        var id = JobIds.New();
        var view = await cluster.Job(id).Submit(spec ?? Spec());
        Assert.Equal(node, view.NodeId);
        await cluster.Job(id).RecordLaunched(new JobLaunched(id, node, 4242, Now));
        return id;
    }

    private static JobSample Sample(string jobId, double cpu, double? progress = null, string? message = null) =>
        new() { JobId = jobId, Pid = 4242, State = "R", CpuSeconds = cpu, RssBytes = 8 << 20, Progress = progress, ProgressMessage = message };

    [Fact]
    public async Task Submit_records_the_job_places_it_and_sends_LaunchJob_to_the_agent()
    {
        await cluster.NodeAlive("node-1");
        var id = JobIds.New();

        var view = await cluster.Job(id).Submit(Spec());

        Assert.Equal(JobStatus.Queued, view.Status);
        Assert.Equal("node-1", view.NodeId);
        Assert.Equal("launching on node node-1", view.StatusReason);
        Assert.Equal(2, view.Version);
        Assert.Equal(["JobSubmitted", "JobPlaced"], await cluster.StoredTypes(id));
        var launch = await cluster.Tap.WaitFor<LaunchJob>(m => m.JobId == id, queue: "agent-node-1");
        Assert.Equal("node-1", launch.NodeId);
        Assert.Equal("/usr/bin/sleep", launch.Spec.Command);
        Assert.Equal(["600"], launch.Spec.Args);
    }

    [Fact]
    public async Task A_bad_spec_is_rejected_and_nothing_is_recorded()
    {
        var id = JobIds.New();

        var error = await Assert.ThrowsAsync<OperationRejectedException>(() =>
            cluster.Job(id).Submit(new JobSpec { Command = "", StallThreshold = TimeSpan.FromSeconds(1) }));

        Assert.Equal(RejectionKind.Invalid, error.Kind);
        Assert.Equal("The job spec is invalid: 'command' is empty: give the program to run, e.g. \"/usr/bin/sleep\". 'stallThreshold' must be at least 2 seconds.", error.Message);
        Assert.Empty(await cluster.StoredTypes(id));
        Assert.Null(await cluster.Job(id).GetView());
    }

    [Fact]
    public async Task A_spec_the_chosen_agent_cannot_launch_is_rejected_and_nothing_is_recorded()
    {
        await cluster.NodeAlive("node-1");
        var id = JobIds.New();

        var error = await Assert.ThrowsAsync<OperationRejectedException>(() =>
            cluster.Job(id).Submit(Spec() with { Command = "/nonexistent/caas-no-such-program" }));

        Assert.Equal(RejectionKind.Invalid, error.Kind);
        Assert.Equal("The job cannot be launched on node node-1: executable '/nonexistent/caas-no-such-program' does not exist", error.Message);
        Assert.Empty(await cluster.StoredTypes(id));
        Assert.Null(await cluster.Job(id).GetView());
        Assert.Empty(cluster.Tap.All<LaunchJob>(m => m.JobId == id));
    }

    [Fact]
    public async Task A_launch_check_answered_by_another_node_than_the_one_asked_does_not_decide_the_submit()
    {
        await cluster.NodeAlive("node-1");
        var id = JobIds.New();

        var view = await cluster.Job(id).Submit(Spec() with { Command = "/impostor/program" });

        Assert.Equal("node-1", view.NodeId);
        Assert.Equal(["JobSubmitted", "JobPlaced"], await cluster.StoredTypes(id));
    }

    [Fact]
    public async Task A_job_s_output_is_shown_only_when_the_node_holding_it_answers()
    {
        var id = await RunningJob();
        var output = cluster.Client.GetGrain<Caas.Monitoring.Grains.Output.IJobOutputGrain>(id);
        Assert.Equal(("node-1", "hello\n"), ((await output.Read(new Caas.Contracts.Views.JobOutputQuery())).NodeId, (await output.Read(new Caas.Contracts.Views.JobOutputQuery())).Text));

        cluster.Tap.OutputAnsweredAs[id] = "node-impostor";
        var refused = await Assert.ThrowsAsync<OperationRejectedException>(() => output.Read(new Caas.Contracts.Views.JobOutputQuery()));

        Assert.Equal(RejectionKind.Conflict, refused.Kind);
        Assert.StartsWith($"Node node-impostor answered for node node-1, which holds the output of {id}", refused.Message);
    }

    [Fact]
    public async Task A_second_submit_of_the_same_job_is_a_conflict()
    {
        var id = await RunningJob();

        var error = await Assert.ThrowsAsync<OperationRejectedException>(() => cluster.Job(id).Submit(Spec()));

        Assert.Equal(RejectionKind.Conflict, error.Kind);
        Assert.Equal($"Job {id} was already submitted.", error.Message);
        Assert.Equal(["JobSubmitted", "JobPlaced", "JobStarted"], await cluster.StoredTypes(id));
    }

    [Fact]
    public async Task Every_heartbeat_is_recorded_and_progress_only_when_it_increases()
    {
        var id = await RunningJob();
        var job = cluster.Job(id);

        await job.RecordHeartbeat("node-1", Sample(id, 1, 0.1, "count 100"), Now);
        await job.RecordHeartbeat("node-1", Sample(id, 2, 0.1, "count 100"), Now);
        await job.RecordHeartbeat("node-1", Sample(id, 3, 0.2, "count 200"), Now);
        await job.RecordHeartbeat("node-7", Sample(id, 4, 0.9), Now);

        Assert.Equal(
            ["JobSubmitted", "JobPlaced", "JobStarted", "HeartbeatRecorded", "ProgressReported", "HeartbeatRecorded", "HeartbeatRecorded", "ProgressReported"],
            await cluster.StoredTypes(id));
        var view = (await job.GetView())!;
        Assert.Equal(JobStatus.Running, view.Status);
        Assert.Equal(0.2, view.Progress);
        Assert.Equal("count 200", view.ProgressMessage);
        Assert.Equal(3, view.CpuSeconds);
    }

    [Fact]
    public async Task The_charts_read_the_newest_heartbeats_oldest_first_from_the_jobs_stream()
    {
        var id = await RunningJob();
        var job = cluster.Job(id);
        var queries = cluster.Silo.GetRequiredService<IJobQueries>();
        Assert.Empty(await queries.GetSamplesAsync(id, 10));

        for (var i = 1; i <= 5; i++)
        {
            await job.RecordHeartbeat("node-1", Sample(id, i, i / 10.0) with { RssBytes = i << 20 }, Now);
            cluster.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        await job.RequestCheckpoint(leaveRunning: true);

        var samples = await queries.GetSamplesAsync(id, 3);

        Assert.Equal([(3.0, 3L << 20, (double?)0.3), (4.0, 4L << 20, 0.4), (5.0, 5L << 20, 0.5)], samples.Select(s => (s.CpuSeconds, s.RssBytes, s.Progress)));
        Assert.True(samples[0].At < samples[1].At && samples[1].At < samples[2].At);
        var error = await Assert.ThrowsAsync<OperationRejectedException>(() => queries.GetSamplesAsync(id, 0));
        Assert.Equal(RejectionKind.Invalid, error.Kind);
    }

    [Fact]
    public async Task Reports_with_values_an_event_cannot_hold_are_dropped_and_the_job_keeps_recording()
    {
        var id = await RunningJob();
        var job = cluster.Job(id);

        await job.RecordHeartbeat("node-1", Sample(id, 1, double.NaN), Now);
        await job.RecordHeartbeat("node-1", Sample(id, double.PositiveInfinity, 0.5), Now);
        await job.RecordHeartbeat("node-1", Sample(id, 1, 1.5), Now);
        await job.RecordHeartbeat("node-1", Sample("job-ffffffffff", 1, 0.5), Now);
        await job.RequestCheckpoint(leaveRunning: true);
        await job.RecordCheckpointCompleted(new CheckpointCompleted(id, "node-1", new JobEvents(id, Now).Checkpoint(0, 1, double.NaN), Now));
        await job.RecordHeartbeat("node-1", Sample(id, 2, 0.5), Now);

        Assert.Equal(["JobSubmitted", "JobPlaced", "JobStarted", "CheckpointRequested", "HeartbeatRecorded", "ProgressReported"], await cluster.StoredTypes(id));
        Assert.Empty((await job.GetView())!.Checkpoints);
    }

    [Fact]
    public async Task Heartbeats_for_a_job_never_submitted_are_ignored_and_create_nothing()
    {
        var id = JobIds.New();

        await cluster.Job(id).RecordHeartbeat("node-1", Sample(id, 1, 0.5), Now);

        Assert.Null(await cluster.Job(id).GetView());
        Assert.Empty(await cluster.StoredTypes(id));
    }

    [Fact]
    public async Task A_node_heartbeat_on_the_bus_reaches_the_node_directory_and_the_jobs_stream()
    {
        var id = await RunningJob();
        var bus = cluster.Silo.GetRequiredService<IBus>();

        await bus.Publish(new NodeHeartbeat(new NodeStatus { NodeId = "node-1", Pool = "default", JobSlots = 4, RunningJobs = 1 }, [Sample(id, 5, 0.3)], Now));

        await Eventually(async () => (await cluster.StoredTypes(id)).Contains("ProgressReported"));
        Assert.Equal(["JobSubmitted", "JobPlaced", "JobStarted", "HeartbeatRecorded", "ProgressReported"], await cluster.StoredTypes(id));
        var nodes = await cluster.Silo.GetRequiredService<IJobQueries>().GetNodesAsync();
        Assert.Equal(1, nodes.Single(n => n.NodeId == "node-1").RunningJobs);
    }

    [Fact]
    public async Task Agent_reports_published_on_the_bus_reach_the_jobs_grain()
    {
        await cluster.NodeAlive("node-1");
        var id = JobIds.New();
        await cluster.Job(id).Submit(Spec());
        var bus = cluster.Silo.GetRequiredService<IBus>();

        await bus.Publish(new JobLaunched("not a job id", "node-1", 1, Now));
        await bus.Publish(new JobLaunched(id, "node-1", 4242, Now));
        await Eventually(async () => (await cluster.Job(id).GetView())!.Status == JobStatus.Running);
        var sequence = await cluster.Job(id).RequestCheckpoint(leaveRunning: true);
        await bus.Publish(new CheckpointCompleted(id, "node-1", new JobEvents(id, Now).Checkpoint(0, sequence, null), Now));
        await Eventually(async () => (await cluster.Job(id).GetView())!.Checkpoints.Count == 1);
        await bus.Publish(new JobProcessExited(id, "node-1", 3, null, Now));
        await Eventually(async () => (await cluster.Job(id).GetView())!.Status == JobStatus.Failed);

        Assert.Equal("exit code 3", (await cluster.Job(id).GetView())!.StatusReason);
        // The default policy does not restart failed jobs, and says so in the stream.
        Assert.Equal(["JobSubmitted", "JobPlaced", "JobStarted", "CheckpointRequested", "CheckpointTaken", "JobExited", "RecoveryPolicyApplied"], await cluster.StoredTypes(id));
        Assert.Empty(cluster.Tap.All<RecoveryRequested>(m => m.JobId == id));
    }

    [Fact]
    public async Task A_job_without_progress_for_longer_than_its_threshold_is_stalled_once_and_recovery_is_told()
    {
        var id = await RunningJob(Spec(stallSeconds: 2, onStall: StallAction.RestoreFromLastCheckpoint));
        var launchedAt = Now;
        await cluster.Job(id).RecordHeartbeat("node-1", Sample(id, 1, 0.25), Now);

        // The watch looks every second of real time; the fake clock stands one tick short of the threshold meanwhile.
        cluster.Clock.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Empty(cluster.Tap.All<JobStallDetected>(m => m.JobId == id));

        cluster.Clock.Advance(TimeSpan.FromTicks(1));
        var detected = await cluster.Tap.WaitFor<JobStallDetected>(m => m.JobId == id);

        Assert.Equal("node-1", detected.NodeId);
        Assert.Equal(StallAction.RestoreFromLastCheckpoint, detected.Action);
        Assert.Null(detected.LastCheckpointSequence);
        Assert.Equal(launchedAt, detected.LastProgressAt);
        Assert.Equal(launchedAt.AddSeconds(2), detected.At);
        // How soon after the threshold the stall is published in real time is a benchmark figure (bench/detection.sh,
        // detection.stall_intervals), not an assertion here: on the fake clock it is stalled exactly at the threshold.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var stalls = (await cluster.Store.ReadStreamAsync(id, 0, 100)).Where(e => e.Type == "JobStalled").ToArray();
        Assert.Single(stalls);
        Assert.Contains(detected.IncidentId.ToString(), stalls[0].Data, StringComparison.Ordinal);
        Assert.True((await cluster.Job(id).GetView())!.Stalled);

        await cluster.Job(id).RecordHeartbeat("node-1", Sample(id, 2, 0.3), Now);
        Assert.False((await cluster.Job(id).GetView())!.Stalled);
    }

    [Fact]
    public async Task A_stalled_job_whose_policy_is_to_restore_is_recorded_as_restoring_from_its_newest_checkpoint()
    {
        var id = await RunningJob(Spec(stallSeconds: 2, onStall: StallAction.RestoreFromLastCheckpoint));
        var job = cluster.Job(id);
        await job.RecordHeartbeat("node-1", Sample(id, 1, 0.25), Now);
        await job.RequestCheckpoint(leaveRunning: true);
        await job.RecordCheckpointCompleted(new CheckpointCompleted(id, "node-1", new JobEvents(id, Now).Checkpoint(0, 1, 0.25), Now));

        cluster.Clock.Advance(TimeSpan.FromSeconds(5));
        var detected = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.JobId == id);

        Assert.Equal((1, "node-1", 0.25), (detected.Sequence, detected.NodeId, detected.CheckpointProgress));
        Assert.Equal((RecoveryAction.RestartInPlace, PolicyTrigger.Stall, 1), (detected.Action, detected.Trigger, detected.Attempt));
        Assert.Empty(cluster.Tap.All<JobStallDetected>(m => m.JobId == id));
        var stored = await cluster.Store.ReadStreamBackwardAsync(id, StreamPosition.End, 3);
        Assert.Equal(["RestoreRequested", "RecoveryPolicyApplied", "JobStalled"], stored.Select(e => e.Type));
        Assert.All(stored, e => Assert.Contains(detected.IncidentId.ToString(), e.Data, StringComparison.Ordinal));
        Assert.Contains("\"reason\":\"stalled: no progress for 00:00:05\"", stored[0].Data, StringComparison.Ordinal);
        var view = (await job.GetView())!;
        Assert.Equal((JobStatus.Restoring, true), (view.Status, view.Stalled));

        // The hung copy the agent kills before restoring is not the job failing.
        await job.RecordExited(new JobProcessExited(id, "node-1", null, 9, Now));
        await job.RecordRestoreCompleted(new RestoreCompleted(id, "node-1", detected.IncidentId, 1, 5151, Now));
        var restored = (await job.GetView())!;
        Assert.Equal((JobStatus.Running, false, 5151, 0.25), (restored.Status, restored.Stalled, restored.Pid, restored.Progress));
    }

    [Fact]
    public async Task Restore_needs_an_existing_checkpoint_and_refusals_record_nothing()
    {
        var id = await RunningJob();
        var job = cluster.Job(id);

        var none = await Assert.ThrowsAsync<OperationRejectedException>(() => job.RequestRestore(null, "test"));
        Assert.Equal(RejectionKind.Conflict, none.Kind);
        Assert.Equal($"Job {id} has no checkpoint to restore from.", none.Message);

        Assert.Equal(1, await job.RequestCheckpoint(leaveRunning: true));
        var command = await cluster.Tap.WaitFor<CheckpointJob>(m => m.JobId == id, queue: "agent-node-1");
        Assert.Equal((1, true), (command.Sequence, command.LeaveRunning));
        await job.RecordCheckpointCompleted(new CheckpointCompleted(id, "node-1", new JobEvents(id, Now).Checkpoint(0, 1, 0.25), Now));
        var before = (await job.GetView())!.Version;

        var missing = await Assert.ThrowsAsync<OperationRejectedException>(() => job.RequestRestore(7, "test"));

        Assert.Equal(RejectionKind.NotFound, missing.Kind);
        Assert.Equal($"Job {id} has no checkpoint 7.", missing.Message);
        Assert.Equal(before, (await job.GetView())!.Version);
        Assert.Equal(before, (await cluster.StoredTypes(id)).Count);
    }

    [Fact]
    public async Task A_restore_publishes_RecoveryRequested_and_the_first_heartbeat_at_the_checkpoints_progress_verifies_it()
    {
        var id = await RunningJob();
        var job = cluster.Job(id);
        await job.RecordHeartbeat("node-1", Sample(id, 1, 0.4), Now);
        await job.RequestCheckpoint(leaveRunning: true);
        await job.RecordCheckpointCompleted(new CheckpointCompleted(id, "node-1", new JobEvents(id, Now).Checkpoint(0, 1, 0.4), Now));
        await job.RecordHeartbeat("node-1", Sample(id, 2, 0.6), Now);

        var incident = await job.RequestRestore(1, "node is being drained");

        var requested = await cluster.Tap.WaitFor<RecoveryRequested>(m => m.JobId == id);
        Assert.Equal((incident, 1, 0.4, "node-1", "node is being drained"), (requested.IncidentId, requested.Sequence, requested.CheckpointProgress, requested.NodeId, requested.Reason));
        Assert.Equal(JobStatus.Restoring, (await job.GetView())!.Status);

        await job.RecordRestoreCompleted(new RestoreCompleted(id, "node-2", incident, 1, 999, Now));
        var restored = (await job.GetView())!;
        Assert.Equal((JobStatus.Running, "node-2", 999, 0.4), (restored.Status, restored.NodeId, restored.Pid, restored.Progress));

        await job.RecordHeartbeat("node-2", Sample(id, 3, 0.35), Now);
        await Task.Delay(500);
        Assert.Empty(cluster.Tap.All<RestoreVerified>(m => m.JobId == id));
        await job.RecordHeartbeat("node-2", Sample(id, 4, 0.41), Now);
        var verified = await cluster.Tap.WaitFor<RestoreVerified>(m => m.JobId == id);
        Assert.Equal((incident, 0.41), (verified.IncidentId, verified.Progress));

        await job.RecordRecoveryEnded(new RecoveryEnded(incident, id, true, "restored on node-2", Now));
        Assert.Equal("RecoveryFinished", (await cluster.StoredTypes(id))[^1]);
    }

    [Fact]
    public async Task A_killed_job_is_stopped_and_a_crashed_one_failed_with_the_reason()
    {
        var killed = await RunningJob();
        var crashed = await RunningJob();

        await cluster.Job(killed).RequestKill("operator");
        var kill = await cluster.Tap.WaitFor<KillJob>(m => m.JobId == killed, queue: "agent-node-1");
        Assert.Equal("operator", kill.Reason);
        await cluster.Job(killed).RecordExited(new JobProcessExited(killed, "node-1", null, 9, Now));
        await cluster.Job(crashed).RecordExited(new JobProcessExited(crashed, "node-1", null, 11, Now));

        var stopped = (await cluster.Job(killed).GetView())!;
        var failed = (await cluster.Job(crashed).GetView())!;
        Assert.Equal((JobStatus.Stopped, "killed on request"), (stopped.Status, stopped.StatusReason));
        Assert.Equal((JobStatus.Failed, "killed by signal 11 (SIGSEGV)"), (failed.Status, failed.StatusReason));
        var again = await Assert.ThrowsAsync<OperationRejectedException>(() => cluster.Job(killed).RequestKill("again"));
        Assert.Equal(RejectionKind.Conflict, again.Kind);
        Assert.Equal($"Job {killed} is Stopped: only a running, restoring, lost or swapped-out job can be killed.", again.Message);
    }

    [Theory]
    [InlineData(3, null, "exit code 3")]
    [InlineData(null, 9, "killed by signal 9 (SIGKILL)")]
    [InlineData(null, 6, "killed by signal 6 (SIGABRT)")]
    [InlineData(null, 64, "killed by signal 64")]
    public async Task A_job_that_exits_non_zero_or_by_a_signal_is_failed_with_the_reason_and_a_failed_alert_opens(int? code, int? signal, string reason)
    {
        var id = await RunningJob();
        var bus = cluster.Silo.GetRequiredService<IBus>();

        await bus.Publish(new JobProcessExited(id, "node-1", code, signal, Now));

        await Eventually(async () => (await cluster.Job(id).GetView())!.Status == JobStatus.Failed);
        var view = (await cluster.Job(id).GetView())!;
        Assert.Equal((reason, code, signal), (view.StatusReason, view.ExitCode, view.ExitSignal));
        var queries = cluster.Silo.GetRequiredService<IJobQueries>();
        await Eventually(async () => (await queries.GetAlertsAsync()).Any(a => a.JobId == id));
        var alert = (await queries.GetAlertsAsync()).Single(a => a.JobId == id);
        Assert.Equal((Caas.Contracts.Views.AlertKind.Failed, reason, (DateTimeOffset?)null), (alert.Kind, alert.Message, alert.ResolvedAt));
    }

    [Fact]
    public async Task A_job_that_exits_zero_completes_and_raises_no_alert()
    {
        var id = await RunningJob();

        await cluster.Job(id).RecordExited(new JobProcessExited(id, "node-1", 0, null, Now));

        var view = (await cluster.Job(id).GetView())!;
        Assert.Equal((JobStatus.Completed, (string?)null), (view.Status, view.StatusReason));
        var queries = cluster.Silo.GetRequiredService<IJobQueries>();
        await Eventually(async () => (await queries.ListJobsAsync(0, 1000)).Items.Any(j => j.JobId == id && j.Status == JobStatus.Completed));
        Assert.DoesNotContain(await queries.GetAlertsAsync(includeResolved: true), a => a.JobId == id);
    }

    [Fact]
    public async Task A_sigstopped_job_is_stalled_at_its_threshold_and_its_alert_says_the_process_is_stopped()
    {
        var id = await RunningJob(Spec(stallSeconds: 5));
        var job = cluster.Job(id);
        await job.RecordHeartbeat("node-1", Sample(id, 1) with { ReadBytes = 10 }, Now);
        var lastWork = Now;
        for (var second = 1; second <= 4; second++)
        {
            cluster.Clock.Advance(TimeSpan.FromSeconds(1));
            await job.RecordHeartbeat("node-1", Sample(id, 1) with { ReadBytes = 10, State = "T" }, Now);
        }
        Assert.Empty(cluster.Tap.All<JobStallDetected>(m => m.JobId == id));

        cluster.Clock.Advance(TimeSpan.FromSeconds(1));
        var detected = await cluster.Tap.WaitFor<JobStallDetected>(m => m.JobId == id);

        Assert.Equal((lastWork, lastWork.AddSeconds(5)), (detected.LastProgressAt, detected.At));
        var queries = cluster.Silo.GetRequiredService<IJobQueries>();
        await Eventually(async () => (await queries.GetAlertsAsync()).Any(a => a.JobId == id));
        Assert.Equal("no progress for 00:00:05 (threshold 00:00:05); the process is stopped (state T)",
            (await queries.GetAlertsAsync()).Single(a => a.JobId == id).Message);
    }

    [Fact]
    public async Task Progress_counts_from_when_the_agent_received_the_report_not_from_the_sample_that_carried_it()
    {
        var id = await RunningJob(Spec(stallSeconds: 5));
        var job = cluster.Job(id);
        var startedAt = Now;

        cluster.Clock.Advance(TimeSpan.FromSeconds(1));
        await job.RecordHeartbeat("node-1", Sample(id, 1, 0.1) with { LastReportAt = Now.AddSeconds(-0.8) }, Now);
        Assert.Equal(startedAt.AddSeconds(0.2), (await job.GetView())!.LastProgressAt);

        // A report time after the sample or before the job's last activity is not believed: the sample's time is used.
        cluster.Clock.Advance(TimeSpan.FromSeconds(1));
        await job.RecordHeartbeat("node-1", Sample(id, 2, 0.2) with { LastReportAt = Now.AddSeconds(3) }, Now);
        Assert.Equal(startedAt.AddSeconds(2), (await job.GetView())!.LastProgressAt);
        cluster.Clock.Advance(TimeSpan.FromSeconds(1));
        await job.RecordHeartbeat("node-1", Sample(id, 3, 0.3) with { LastReportAt = startedAt.AddSeconds(1) }, Now);
        Assert.Equal(startedAt.AddSeconds(3), (await job.GetView())!.LastProgressAt);

        cluster.Clock.Advance(TimeSpan.FromSeconds(0.5));
        await job.RecordHeartbeat("node-1", Sample(id, 4, 0.4) with { LastReportAt = Now.AddSeconds(-0.4) }, Now);
        var reportedAt = startedAt.AddSeconds(3.1);
        Assert.Equal(reportedAt, (await job.GetView())!.LastProgressAt);
        cluster.Clock.Advance(reportedAt.AddSeconds(5) - Now);
        var detected = await cluster.Tap.WaitFor<JobStallDetected>(m => m.JobId == id);
        Assert.Equal((reportedAt, reportedAt.AddSeconds(5)), (detected.LastProgressAt, detected.At));
    }

    [Fact]
    public async Task A_silent_job_doing_only_io_is_not_stalled()
    {
        var id = await RunningJob(Spec(stallSeconds: 3));
        var job = cluster.Job(id);

        for (var second = 1; second <= 8; second++)
        {
            cluster.Clock.Advance(TimeSpan.FromSeconds(1));
            await job.RecordHeartbeat("node-1", Sample(id, 0.2) with { State = "D", ReadBytes = second * 4096L, WriteBytes = second * 512L }, Now);
        }
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.Empty(cluster.Tap.All<JobStallDetected>(m => m.JobId == id));
        Assert.False((await job.GetView())!.Stalled);
    }

    [Fact]
    public async Task A_job_whose_exit_overtakes_its_launch_report_ends_and_stays_ended()
    {
        await cluster.NodeAlive("node-1");
        var id = JobIds.New();
        await cluster.Job(id).Submit(Spec());

        await cluster.Job(id).RecordExited(new JobProcessExited(id, "node-1", 0, null, Now));
        await cluster.Job(id).RecordLaunched(new JobLaunched(id, "node-1", 4242, Now));

        Assert.Equal(JobStatus.Completed, (await cluster.Job(id).GetView())!.Status);
        Assert.Equal(["JobSubmitted", "JobPlaced", "JobExited"], await cluster.StoredTypes(id));
    }

    [Fact]
    public async Task A_job_with_no_live_node_in_its_pool_waits_and_launches_when_one_appears()
    {
        var id = JobIds.New();

        var view = await cluster.Job(id).Submit(Spec(pool: "batch"));

        Assert.Equal((JobStatus.Queued, (string?)null), (view.Status, view.NodeId));
        // Other tests' nodes share this cluster, so the pools listed vary; the reason names the missing pool first.
        Assert.StartsWith("waiting for a node: no node in pool 'batch' (pools: ", view.StatusReason);
        await cluster.NodeAlive("node-9", pool: "batch");
        var launch = await cluster.Tap.WaitFor<LaunchJob>(m => m.JobId == id, queue: "agent-node-9");
        Assert.Equal("node-9", launch.NodeId);
        Assert.Equal(["JobSubmitted", "JobPlaced"], await cluster.StoredTypes(id));
    }

    [Fact]
    public async Task A_reactivated_grain_rebuilds_the_same_state_from_the_store()
    {
        var id = await RunningJob();
        var job = cluster.Job(id);
        await job.RecordHeartbeat("node-1", Sample(id, 1, 0.5, "half"), Now);
        await job.RequestCheckpoint(leaveRunning: true);
        await job.RecordCheckpointCompleted(new CheckpointCompleted(id, "node-1", new JobEvents(id, Now).Checkpoint(0, 1, 0.5), Now));
        var before = JsonSerializer.Serialize((await job.GetView())!);

        await cluster.Cluster.DeactivateAsync(job);
        var after = JsonSerializer.Serialize((await cluster.Job(id).GetView())!);

        Assert.Equal(before, after);
        Assert.Contains("\"Version\":7", after, StringComparison.Ordinal);
        Assert.Equal(2, await cluster.Job(id).RequestCheckpoint(leaveRunning: true));
    }

    [Fact]
    public async Task A_job_with_a_long_history_is_snapshotted_when_activated_and_later_activations_start_from_the_snapshot()
    {
        var id = JobIds.New();
        var events = new JobEvents(id, Now);
        var history = new List<IJobEvent> { events.Submitted(spec: Spec()), events.Placed(), events.Started() };
        history.AddRange(Enumerable.Range(1, 1200).Select(i => events.Heartbeat(i, cpu: i)));
        var serializer = cluster.Silo.GetRequiredService<EventSerializer>();
        await cluster.Store.AppendAsync(id, ExpectedVersion.NoStream, history.Select((e, version) => serializer.ToEventData(id, version, e)).ToArray());

        var replayed = (await cluster.Job(id).GetView())!;
        var snapshot = await cluster.Store.ReadSnapshotAsync(id);

        Assert.Equal((1203L, 1200.0, JobStatus.Running), (replayed.Version, replayed.CpuSeconds, replayed.Status));
        Assert.Equal((1202L, Caas.Monitoring.Grains.JobStateSnapshot.Type), (snapshot!.Version, snapshot.Type));

        // Mark the snapshot so the next activation shows whether it started from it.
        await cluster.Store.SaveSnapshotAsync(snapshot with { Data = snapshot.Data.Replace("\"progressMessage\":null", "\"progressMessage\":\"from the snapshot\"", StringComparison.Ordinal) });
        await cluster.Cluster.DeactivateAsync(cluster.Job(id));
        var resumed = (await cluster.Job(id).GetView())!;

        Assert.Equal("from the snapshot", resumed.ProgressMessage);
        Assert.Equal(1203L, resumed.Version);
        await cluster.Job(id).RequestKill("operator");
        Assert.Equal("KillRequested", (await cluster.Store.ReadStreamBackwardAsync(id, StreamPosition.End, 1))[0].Type);
        Assert.Equal(1203L, (await cluster.Store.ReadStreamBackwardAsync(id, StreamPosition.End, 1))[0].Version);
    }

    [Fact]
    public async Task An_unanswered_checkpoint_blocks_new_ones_only_until_its_timeout_and_a_late_answer_is_still_kept()
    {
        var id = await RunningJob();
        var job = cluster.Job(id);
        Assert.Equal(1, await job.RequestCheckpoint(leaveRunning: true));

        var busy = await Assert.ThrowsAsync<OperationRejectedException>(() => job.RequestCheckpoint(leaveRunning: true));
        Assert.Equal((RejectionKind.Conflict, $"Job {id} already has checkpoint 1 in progress."), (busy.Kind, busy.Message));

        await cluster.AdvanceHeartbeating(Grains.JobGrain.CheckpointAnswerTimeout + TimeSpan.FromSeconds(1), "node-1");
        Assert.Equal(2, await job.RequestCheckpoint(leaveRunning: true));
        await job.RecordCheckpointCompleted(new CheckpointCompleted(id, "node-1", new JobEvents(id, Now).Checkpoint(0, 1, null), Now));
        await job.RecordCheckpointCompleted(new CheckpointCompleted(id, "node-1", new JobEvents(id, Now).Checkpoint(0, 1, null), Now));
        await job.RecordCheckpointCompleted(new CheckpointCompleted(id, "node-1", new JobEvents(id, Now).Checkpoint(0, 9, null), Now));

        var stored = await cluster.Store.ReadStreamAsync(id, 3, 100);
        Assert.Equal(["CheckpointRequested", "CheckpointFailed", "CheckpointRequested", "CheckpointTaken"], stored.Select(e => e.Type));
        Assert.Contains("no answer from node node-1 within 10 minutes", stored[1].Data, StringComparison.Ordinal);
        var view = (await job.GetView())!;
        Assert.Equal([1], view.Checkpoints.Select(c => c.Sequence));
        Assert.Equal(2, view.PendingCheckpoint);
    }

    [Fact]
    public async Task Placement_picks_the_live_node_in_the_pool_with_most_free_slots_and_never_a_silent_one()
    {
        var directory = cluster.Client.GetGrain<Caas.Contracts.Grains.INodeDirectoryGrain>(0);
        await cluster.NodeAlive("node-a", pool: "placement", slots: 4, running: 3);
        await cluster.NodeAlive("node-b", pool: "placement", slots: 4, running: 1);
        await cluster.NodeAlive("node-c", pool: "elsewhere", slots: 16, running: 0);
        var spec = Spec(pool: "placement");

        var picks = new[] { (await directory.Choose(spec)).NodeId, (await directory.Choose(spec)).NodeId, (await directory.Choose(spec)).NodeId, (await directory.Choose(spec)).NodeId };

        Assert.Equal(new string?[] { "node-b", "node-b", "node-a", "node-b" }, picks);
        Assert.Null((await directory.Choose(spec)).NodeId);
        await cluster.NodeAlive("node-a", pool: "placement", slots: 4, running: 0);
        cluster.Clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal("node-a", (await directory.Choose(spec)).NodeId);
        cluster.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null((await directory.Choose(spec)).NodeId);
    }

    [Fact]
    public async Task Queries_list_the_job_and_its_timeline_newest_first()
    {
        var id = await RunningJob();
        await cluster.Job(id).RecordHeartbeat("node-1", Sample(id, 1, 0.41, "count 410"), Now);
        var queries = cluster.Silo.GetRequiredService<IJobQueries>();

        await Eventually(async () => (await queries.ListJobsAsync(0, 1000)).Items.Any(j => j.JobId == id && j.Progress == 0.41));
        var timeline = await queries.GetTimelineAsync(id, 0, 2);
        var older = await queries.GetTimelineAsync(id, 2, 10);

        Assert.Equal(5, timeline.Total);
        Assert.Equal(["progress 41.0 %: count 410", "heartbeat from node-1: cpu 1.0 s, rss 8.0 MiB, state R"], timeline.Items.Select(e => e.Summary));
        Assert.Equal([4L, 3L], timeline.Items.Select(e => e.Version));
        Assert.Equal(["started on node node-1, pid 4242", "placed on node node-1", "submitted: /usr/bin/sleep 600"], older.Items.Select(e => e.Summary));
        var missing = await Assert.ThrowsAsync<OperationRejectedException>(() => queries.GetTimelineAsync("job-ffffffffff", 0, 10));
        Assert.Equal(RejectionKind.NotFound, missing.Kind);
        var running = await queries.ListJobsAsync(0, 1000, JobStatus.Running);
        Assert.Contains(running.Items, j => j.JobId == id);
        Assert.All(running.Items, j => Assert.Equal(JobStatus.Running, j.Status));
    }

    [Fact]
    public async Task A_timeline_shows_an_event_this_build_cannot_read_instead_of_failing()
    {
        var id = JobIds.New();
        var serializer = cluster.Silo.GetRequiredService<EventSerializer>();
        var submitted = serializer.ToEventData(id, 0, new JobEvents(id, Now).Submitted());
        await cluster.Store.AppendAsync(id, ExpectedVersion.NoStream, [submitted, new EventData(Guid.NewGuid(), "JobTeleported", "{}")]);

        var timeline = await cluster.Silo.GetRequiredService<IJobQueries>().GetTimelineAsync(id, 0, 10);

        Assert.Equal(["JobTeleported", "JobSubmitted"], timeline.Items.Select(e => e.Type));
        Assert.StartsWith("unreadable event: Stored event type 'JobTeleported' is unknown", timeline.Items[0].Summary, StringComparison.Ordinal);
        Assert.Equal("submitted: /usr/bin/sleep 600", timeline.Items[1].Summary);
    }

    [Fact]
    public async Task Operations_refuse_unknown_and_malformed_job_ids_as_not_found()
    {
        var operations = cluster.Silo.GetRequiredService<IJobOperations>();

        var malformed = await Assert.ThrowsAsync<OperationRejectedException>(() => operations.CheckpointAsync("../etc/passwd"));
        var unknown = await Assert.ThrowsAsync<OperationRejectedException>(() => operations.KillAsync("job-0000000000"));

        Assert.Equal((RejectionKind.NotFound, "Job '../etc/passwd' does not exist."), (malformed.Kind, malformed.Message));
        Assert.Equal((RejectionKind.NotFound, "Job job-0000000000 does not exist."), (unknown.Kind, unknown.Message));
        Assert.Empty(await cluster.StoredTypes("job-0000000000"));
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The condition did not hold within 10 s.");
            await Task.Delay(50);
        }
    }
}
