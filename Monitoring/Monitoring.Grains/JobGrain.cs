using Caas.Contracts.Bus;
using Caas.Contracts.Events;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Caas.Monitoring.Grains.Starvation;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.EventSourcing;
using Orleans.EventSourcing.CustomStorage;
using Orleans.Providers;

namespace Caas.Monitoring.Grains;

/// <summary>
/// One job: decides on commands (validate first, then record: CustomStorage retries a failed write forever,
/// so nothing invalid may reach RaiseEvent), records the facts agents and recovery report, and watches the
/// job for stalls. Its stream in the event store is the job's whole history.
/// </summary>
[LogConsistencyProvider(ProviderName = MonitoringSiloBuilderExtensions.LogConsistencyProviderName)]
public sealed class JobGrain(
    JobJournal journal,
    IBus bus,
    [FromKeyedServices(MonitoringClock.Key)] TimeProvider time,
    ILogger<JobGrain> logger)
    : JournaledGrain<JobState, IJobEvent>, IJobGrain, ICustomStorageInterface<JobState, IJobEvent>
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);
    /// <summary>The shortest wait before a look at a stall that is due sooner: bounds the looks when the clock stands still (a fake one).</summary>
    private static readonly TimeSpan ShortestWatchWait = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LaunchCheckTimeout = TimeSpan.FromSeconds(5);
    /// <summary>How long a requested checkpoint may stay unanswered before a new request replaces it.</summary>
    public static readonly TimeSpan CheckpointAnswerTimeout = TimeSpan.FromMinutes(10);

    private readonly StallDetector _stalls = new(time);
    private readonly StarvationDetector _starvation = new(time);
    private IGrainTimer? _watch;
    /// <summary>Why the queued job has no node yet, from the last placement attempt; not recorded, as it changes with every node heartbeat.</summary>
    private string? _unplacedBecause;

    private string JobId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        KeepWatching();
    }

    protected override void TransitionState(JobState state, IJobEvent @event) => state.Apply(@event);

    public async Task<JobView> Submit(JobSpec spec)
    {
        if (!JobIds.IsValid(JobId))
            throw new OperationRejectedException(RejectionKind.Invalid, $"'{JobId}' is not a job id (expected \"job-\" and 10 lower-case hex digits).");
        if (State.IsSubmitted)
            throw new OperationRejectedException(RejectionKind.Conflict, $"Job {JobId} was already submitted.");
        var problems = JobSpecValidator.Validate(spec);
        if (problems.Count > 0)
            throw new OperationRejectedException(RejectionKind.Invalid, "The job spec is invalid: " + string.Join(" ", problems));

        var placement = await GrainFactory.GetGrain<INodeDirectoryGrain>(0).Choose(spec);
        var node = placement.NodeId;
        _unplacedBecause = placement.Problem;
        if (node is not null)
            await RequireLaunchable(node, spec);
        var now = time.GetUtcNow();
        RaiseEvent(new JobSubmitted(JobId, spec, now));
        if (node is not null)
            RaiseEvent(new JobPlaced(JobId, node, now));
        await ConfirmEvents();
        if (node is not null)
            await SendToAgent(node, new LaunchJob(JobId, node, spec));
        KeepWatching();
        return View();
    }

    public Task<JobView?> GetView() => Task.FromResult(State.IsSubmitted ? View() : null);

    /// <summary>The folded state, and for a job still waiting for a node the reason placement gave last.</summary>
    private JobView View() =>
        State.ToView() is var view && State.Status == JobStatus.Queued && State.NodeId is null && _unplacedBecause is { } problem
            ? view with { StatusReason = $"waiting for a node: {problem}" }
            : view;

    public async Task<int> RequestCheckpoint(bool leaveRunning)
    {
        RequireSubmitted();
        if (State.Status != JobStatus.Running)
            throw new OperationRejectedException(RejectionKind.Conflict, $"Job {JobId} is {State.Status}: only a running job can be checkpointed.");
        var now = time.GetUtcNow();
        var node = State.NodeId!;
        if (State.PendingCheckpoint is { } pending)
        {
            if (now - State.PendingCheckpointSince < CheckpointAnswerTimeout)
                throw new OperationRejectedException(RejectionKind.Conflict, $"Job {JobId} already has checkpoint {pending} in progress.");
            // An agent that never answered must not block checkpoints forever.
            RaiseEvent(new CheckpointFailed(JobId, pending, $"no answer from node {node} within {CheckpointAnswerTimeout.TotalMinutes:0} minutes", now));
        }
        var sequence = State.NextCheckpointSequence;
        RaiseEvent(new CheckpointRequested(JobId, sequence, leaveRunning, now));
        await ConfirmEvents();
        await SendToAgent(node, new CheckpointJob(JobId, node, sequence, leaveRunning));
        return sequence;
    }

    public async Task RequestKill(string reason)
    {
        RequireSubmitted();
        if (State.Status is not (JobStatus.Running or JobStatus.Restoring))
            throw new OperationRejectedException(RejectionKind.Conflict, $"Job {JobId} is {State.Status}: only a running or restoring job can be killed.");
        reason = string.IsNullOrWhiteSpace(reason) ? "killed on request" : reason;
        var node = State.NodeId!;
        RaiseEvent(new KillRequested(JobId, reason, time.GetUtcNow()));
        await ConfirmEvents();
        await SendToAgent(node, new KillJob(JobId, node, reason));
    }

    public async Task<Guid> RequestRestore(int? sequence, string reason)
    {
        RequireSubmitted();
        switch (State.Status)
        {
            case JobStatus.Queued:
                throw new OperationRejectedException(RejectionKind.Conflict, $"Job {JobId} has not started yet: there is nothing to restore.");
            case JobStatus.Completed:
                throw new OperationRejectedException(RejectionKind.Conflict, $"Job {JobId} completed: there is nothing to restore.");
            case JobStatus.Restoring:
                throw new OperationRejectedException(RejectionKind.Conflict, $"Job {JobId} is already being restored (incident {State.RestoringIncident}).");
        }
        if (State.Checkpoints.Count == 0)
            throw new OperationRejectedException(RejectionKind.Conflict, $"Job {JobId} has no checkpoint to restore from.");
        var checkpoint = sequence is { } wanted
            ? State.FindCheckpoint(wanted) ?? throw new OperationRejectedException(RejectionKind.NotFound, $"Job {JobId} has no checkpoint {wanted}.")
            : State.NewestCheckpoint!;
        reason = string.IsNullOrWhiteSpace(reason) ? "restore requested" : reason;
        var incident = Guid.NewGuid();
        var node = State.NodeId ?? checkpoint.NodeId;
        var now = time.GetUtcNow();
        RaiseEvent(new RestoreRequested(JobId, incident, checkpoint.Sequence, reason, now));
        await ConfirmEvents();
        await bus.Publish(new RecoveryRequested(incident, JobId, node, checkpoint.Sequence, checkpoint.Progress, reason, now, State.FallbacksFor(checkpoint.Sequence)));
        KeepWatching();
        return incident;
    }

    public async Task RequestCheckpointVerification(int sequence)
    {
        var checkpoint = RequireCheckpoint(sequence);
        RaiseEvent(new CheckpointVerificationRequested(JobId, sequence, time.GetUtcNow()));
        await ConfirmEvents();
        await SendToAgent(checkpoint.NodeId, new VerifyCheckpoint(JobId, checkpoint.NodeId, sequence));
    }

    public async Task RequestCheckpointDeletion(int sequence)
    {
        var checkpoint = RequireCheckpoint(sequence);
        if (CheckpointDeletion.RefusalFor(State, sequence) is { } refusal)
            throw new OperationRejectedException(RejectionKind.Conflict, refusal);
        // Recorded when the agent reports the bundle gone, so the catalog never shows deleted what still lies on disk.
        await SendToAgent(checkpoint.NodeId, new DeleteCheckpoint(JobId, checkpoint.NodeId, sequence));
    }

    public async Task RecordCheckpointVerificationEnded(CheckpointVerificationEnded report)
    {
        if (!IsKnown("verification report"))
            return;
        if (State.FindCheckpoint(report.Sequence) is not { } checkpoint || checkpoint.NodeId != report.NodeId)
        {
            logger.LogInformation("Ignored the verification of checkpoint {Sequence} of job {JobId} from {NodeId}: no such checkpoint there", report.Sequence, JobId, report.NodeId);
            return;
        }
        RaiseEvent<IJobEvent>(report.Verified
            ? new CheckpointVerified(JobId, report.Sequence, report.NodeId, report.At)
            : new CheckpointVerificationFailed(JobId, report.Sequence, report.NodeId, report.Reason ?? "no reason given", report.At));
        await ConfirmEvents();
    }

    public async Task RecordCheckpointsPruned(CheckpointsPruned report)
    {
        if (!IsKnown("pruning report"))
            return;
        foreach (var sequence in report.Sequences.Distinct())
        {
            if (State.FindCheckpoint(sequence) is { } checkpoint && checkpoint.NodeId == report.NodeId)
                RaiseEvent(new CheckpointDeleted(JobId, sequence, report.NodeId, report.Removal, report.Reason, report.At));
        }
        await ConfirmEvents();
    }

    private CheckpointInfo RequireCheckpoint(int sequence)
    {
        RequireSubmitted();
        return State.FindCheckpoint(sequence)
            ?? throw new OperationRejectedException(RejectionKind.NotFound, $"Job {JobId} has no checkpoint {sequence}.");
    }

    public async Task RecordHeartbeat(string nodeId, JobSample sample, DateTimeOffset at)
    {
        if (!IsFromJobNode(nodeId, "heartbeat"))
            return;
        if (ReportValidator.ProblemWith(sample, JobId) is { } problem)
        {
            logger.LogWarning("Dropped a heartbeat for job {JobId} from node {NodeId}: {Problem}", JobId, nodeId, problem);
            return;
        }
        if (State.Status == JobStatus.Queued)
        {
            // The heartbeat overtook the launch report: the job is evidently running.
            RaiseEvent(new JobStarted(JobId, nodeId, sample.Pid, at));
        }
        else if (State.Status is not (JobStatus.Running or JobStatus.Restoring))
        {
            logger.LogInformation("Ignored a heartbeat for job {JobId} from {NodeId}: the job is {Status}", JobId, nodeId, State.Status);
            return;
        }

        var verified = State.UnverifiedRestore is { } incident
            && (State.UnverifiedRestoreProgress is null || sample.Progress >= State.UnverifiedRestoreProgress)
            ? incident : (Guid?)null;
        RaiseEvent(new HeartbeatRecorded(JobId, nodeId, sample, at));
        if (sample.Progress is { } progress
            && (State.Progress is not { } known || progress > known || (progress == known && sample.ProgressMessage != State.ProgressMessage)))
            RaiseEvent(new ProgressReported(JobId, progress, sample.ProgressMessage, ReportedAt(sample, at)));
        await ConfirmEvents();
        if (verified is { } done)
            await bus.Publish(new RestoreVerified(done, JobId, sample.Progress, at));
    }

    /// <summary>
    /// When the progress was reported: the agent's receipt of the job's last report, which comes up to one heartbeat
    /// interval before the sample that carries it, so the stall clock starts when the job actually moved. Never before
    /// the job's last known activity nor after the sample, so a stall can only be found later than due, never earlier.
    /// </summary>
    private DateTimeOffset ReportedAt(JobSample sample, DateTimeOffset at) =>
        sample.LastReportAt is { } reported && reported <= at && (State.LastActivityAt is not { } since || reported >= since)
            ? reported : at;

    public async Task RecordLaunched(JobLaunched report)
    {
        if (!IsFromJobNode(report.NodeId, "launch report") || !IsIn(JobStatus.Queued, "launch report"))
            return;
        RaiseEvent(new JobStarted(JobId, report.NodeId, report.Pid, report.At));
        await ConfirmEvents();
        KeepWatching();
    }

    public async Task RecordLaunchRejected(LaunchRejected report)
    {
        if (!IsFromJobNode(report.NodeId, "launch rejection") || !IsIn(JobStatus.Queued, "launch rejection"))
            return;
        RaiseEvent(new JobStartFailed(JobId, report.NodeId, report.Reason, report.At));
        await ConfirmEvents();
        KeepWatching();
    }

    public async Task RecordCheckpointCompleted(CheckpointCompleted report)
    {
        if (!IsFromJobNode(report.NodeId, "checkpoint report"))
            return;
        if (ReportValidator.ProblemWith(report.Checkpoint) is { } problem)
        {
            logger.LogWarning("Dropped a checkpoint report for job {JobId}: {Problem}", JobId, problem);
            return;
        }
        // A late answer to a checkpoint given up on still names a real image, so it is kept.
        var sequence = report.Checkpoint.Sequence;
        if (sequence < 1 || sequence > State.HighestCheckpointSequence || State.FindCheckpoint(sequence) is not null)
        {
            logger.LogInformation("Ignored checkpoint {Sequence} of job {JobId}: never requested or already recorded", sequence, JobId);
            return;
        }
        RaiseEvent(new CheckpointTaken(JobId, report.Checkpoint, report.At));
        await ConfirmEvents();
        KeepWatching();
    }

    public async Task RecordCheckpointRejected(CheckpointRejected report)
    {
        if (!IsFromJobNode(report.NodeId, "checkpoint rejection"))
            return;
        if (State.PendingCheckpoint != report.Sequence)
        {
            logger.LogInformation("Ignored the failure of checkpoint {Sequence} of job {JobId}: it is not the pending one ({Pending})", report.Sequence, JobId, State.PendingCheckpoint);
            return;
        }
        RaiseEvent(new CheckpointFailed(JobId, report.Sequence, report.Reason, report.At));
        await ConfirmEvents();
    }

    public async Task RecordRestoreCompleted(RestoreCompleted report)
    {
        // Restores move jobs between nodes, so the report comes from the job's new node.
        if (!IsKnown("restore report") || State.LastRestoredIncident == report.IncidentId)
            return;
        if (State.FindCheckpoint(report.Sequence) is null)
        {
            logger.LogWarning("Ignored a restore of job {JobId} from unknown checkpoint {Sequence}", JobId, report.Sequence);
            return;
        }
        RaiseEvent(new JobRestored(JobId, report.IncidentId, report.Sequence, report.NodeId, report.Pid, report.At, report.Duration));
        await ConfirmEvents();
        KeepWatching();
    }

    public async Task RecordCheckpointTransferred(CheckpointTransferred report)
    {
        // A redelivered report carries the same transfer id: the move is counted once.
        if (!IsKnown("transfer report") || State.FindCheckpoint(report.Sequence) is null || State.MovedTransfers.Contains(report.TransferId))
            return;
        RaiseEvent(new CheckpointMoved(JobId, report.TransferId, report.Sequence, report.SourceNodeId, report.TargetNodeId, report.BytesMoved, report.Duration, report.At));
        await ConfirmEvents();
    }

    public async Task RecordRestoreRejected(RestoreRejected report)
    {
        if (!IsKnown("restore rejection") || State.LastRestoredIncident == report.IncidentId)
            return;
        if (State.RestoringIncident is { } restoring && restoring != report.IncidentId)
        {
            logger.LogInformation("Ignored a failed restore of job {JobId} for incident {Incident}: restoring for {Restoring}", JobId, report.IncidentId, restoring);
            return;
        }
        RaiseEvent(new RestoreFailed(JobId, report.IncidentId, report.Sequence, report.Reason, report.At));
        await ConfirmEvents();
        KeepWatching();
    }

    public async Task RecordExited(JobProcessExited report)
    {
        if (!IsFromJobNode(report.NodeId, "exit report"))
            return;
        // Reports travel on separate queues, so a job that ended at once may report its exit before its launch.
        // While restoring, the old copy is killed on purpose; only a kill someone asked for ends the job then.
        var ends = State.Status is JobStatus.Running or JobStatus.Queued
            || (State.Status == JobStatus.Restoring && State.KillRequested);
        if (!ends)
        {
            logger.LogInformation("Ignored an exit of job {JobId}: the job is {Status}", JobId, State.Status);
            return;
        }
        var reason = State.KillRequested ? "killed on request"
            : report.OutOfMemory ? ExitDescription.OutOfMemory(State.Spec!.MemoryLimitBytes)
            : ExitDescription.Of(report.ExitCode, report.Signal, report.Reason);
        RaiseEvent(new JobExited(JobId, report.ExitCode, report.Signal, reason, report.At));
        await ConfirmEvents();
        KeepWatching();
    }

    public async Task RecordRecoveryEnded(RecoveryEnded report)
    {
        if (!IsKnown("recovery report") || State.LastFinishedRecovery == report.IncidentId)
            return;
        RaiseEvent(new RecoveryFinished(JobId, report.IncidentId, report.Succeeded, report.Outcome, report.At));
        await ConfirmEvents();
        KeepWatching();
    }

    public async Task<KeyValuePair<int, JobState>> ReadStateFromStorage()
    {
        var state = JobIds.IsValid(JobId) ? await journal.Read(JobId) : new JobState { JobId = JobId };
        return new((int)state.Version, state);
    }

    public Task<bool> ApplyUpdatesToStorage(IReadOnlyList<IJobEvent> updates, int expectedversion) =>
        journal.Append(JobId, updates, expectedversion);

    public Task ClearStoredState() =>
        throw new NotSupportedException($"Job streams are append-only: the history of {JobId} cannot be cleared.");

    private async Task Watch(CancellationToken cancellationToken)
    {
        try
        {
            if (State.Status == JobStatus.Queued && State.NodeId is null)
                await TryPlace();
            else if (_stalls.ShouldRaise(State))
                await RaiseStall();
            else if (_starvation.Find(State) is { } starved)
                await RaiseStarvation(starved);
            else if (_starvation.RecoveredRate(State) is { } rate)
                await EndStarvation(rate);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogError(error, "Watching job {JobId} failed; trying again in {Interval}", JobId, WatchInterval);
        }
        LookAgainWhenStallIsDue();
    }

    /// <summary>
    /// Looks every second, but at the moment a stall falls due when that comes sooner, so a stall is found at its
    /// threshold instead of up to a whole watch interval later.
    /// </summary>
    private void LookAgainWhenStallIsDue()
    {
        if (_watch is null || StallDetector.DueAt(State) is not { } due)
            return;
        var wait = due - time.GetUtcNow();
        if (wait < WatchInterval)
            _watch.Change(wait < ShortestWatchWait ? ShortestWatchWait : wait, WatchInterval);
    }

    private async Task TryPlace()
    {
        var placement = await GrainFactory.GetGrain<INodeDirectoryGrain>(0).Choose(State.Spec!);
        _unplacedBecause = placement.Problem;
        if (placement.NodeId is not { } node)
            return;
        RaiseEvent(new JobPlaced(JobId, node, time.GetUtcNow()));
        await ConfirmEvents();
        await SendToAgent(node, new LaunchJob(JobId, node, State.Spec!));
    }

    private async Task RaiseStall()
    {
        var now = time.GetUtcNow();
        var incident = Guid.NewGuid();
        var since = State.LastActivityAt!.Value;
        var spec = State.Spec!;
        var node = State.NodeId!;
        var checkpoint = State.NewestCheckpoint;
        RaiseEvent(new JobStalled(JobId, incident, since, spec.StallThreshold, now));
        // Recovery restores the job under this incident; recording it here keeps the job's status honest meanwhile
        // (Restoring, so the exit of the hung copy the agent kills is not taken for a failure).
        if (spec.OnStall == StallAction.RestoreFromLastCheckpoint && checkpoint is not null)
            RaiseEvent(new RestoreRequested(JobId, incident, checkpoint.Sequence, $"stalled: no progress for {DurationText.Of(now - since)}", now));
        await ConfirmEvents();
        logger.LogWarning("Job {JobId} stalled: no progress since {Since}", JobId, since);
        await bus.Publish(new JobStallDetected(incident, JobId, node, spec.OnStall,
            checkpoint?.Sequence, checkpoint?.NodeId, checkpoint?.Progress, since, now,
            checkpoint is null ? null : State.FallbacksFor(checkpoint.Sequence)));
        KeepWatching();
    }

    private async Task RaiseStarvation(StarvationFinding finding)
    {
        var now = time.GetUtcNow();
        var incident = Guid.NewGuid();
        var spec = State.Spec!;
        RaiseEvent(new JobStarved(JobId, incident, finding.Cause, finding.Detail, finding.Rate, finding.BaselineRate, spec.StarvationWindow, now));
        await ConfirmEvents();
        logger.LogWarning("Job {JobId} starved ({Cause}): {Detail}", JobId, finding.Cause, finding.Detail);
        await bus.Publish(new JobStarvationDetected(incident, JobId, State.NodeId!, finding.Cause, finding.Detail, finding.Rate, finding.BaselineRate, now));
    }

    private async Task EndStarvation(double rate)
    {
        RaiseEvent(new JobStarvationEnded(JobId, State.StarvationIncident!.Value, rate, time.GetUtcNow()));
        await ConfirmEvents();
        logger.LogInformation("Job {JobId} is back to its usual pace", JobId);
    }

    /// <summary>A job that may still move needs its watch (placement retries, stall detection); a finished one does not.</summary>
    private void KeepWatching()
    {
        var live = State.IsSubmitted && State.Status is JobStatus.Queued or JobStatus.Running or JobStatus.Restoring;
        if (live && _watch is null)
            _watch = this.RegisterGrainTimer(Watch, new GrainTimerCreationOptions(WatchInterval, WatchInterval) { KeepAlive = true });
        else if (!live && _watch is not null)
        {
            _watch.Dispose();
            _watch = null;
        }
    }

    /// <summary>
    /// Asks the chosen agent whether it could start the spec (the executable exists, the directory too) before
    /// anything is recorded, so a job that can never start is refused instead of recorded as failed. An agent that
    /// does not answer in time does not block the submit: the launch itself then reports what goes wrong.
    /// </summary>
    private async Task RequireLaunchable(string node, JobSpec spec)
    {
        var client = bus.CreateRequestClient<CheckLaunch>(AgentAddress.For(node), RequestTimeout.After(s: (int)LaunchCheckTimeout.TotalSeconds));
        try
        {
            var answer = await client.GetResponse<LaunchCheckResult>(new CheckLaunch(node, spec));
            if (!answer.Message.Launchable)
                throw new OperationRejectedException(RejectionKind.Invalid, $"The job cannot be launched on node {node}: {answer.Message.Problem}");
        }
        catch (RequestTimeoutException)
        {
            logger.LogWarning("Node {NodeId} did not answer the launch check for job {JobId} within {Timeout}; submitting anyway", node, JobId, LaunchCheckTimeout);
        }
    }

    private async Task SendToAgent<T>(string nodeId, T command) where T : class
    {
        var endpoint = await bus.GetSendEndpoint(AgentAddress.For(nodeId));
        await endpoint.Send(command);
    }

    private void RequireSubmitted()
    {
        if (!State.IsSubmitted)
            throw new OperationRejectedException(RejectionKind.NotFound, $"Job {JobId} does not exist.");
    }

    private bool IsKnown(string what)
    {
        if (State.IsSubmitted)
            return true;
        logger.LogWarning("Ignored a {What} for job {JobId}, which was never submitted", what, JobId);
        return false;
    }

    private bool IsFromJobNode(string nodeId, string what)
    {
        if (!IsKnown(what))
            return false;
        if (string.Equals(nodeId, State.NodeId, StringComparison.Ordinal))
            return true;
        logger.LogWarning("Ignored a {What} for job {JobId} from node {NodeId}: the job is on {JobNode}", what, JobId, nodeId, State.NodeId ?? "no node");
        return false;
    }

    private bool IsIn(JobStatus status, string what)
    {
        if (State.Status == status)
            return true;
        logger.LogInformation("Ignored a {What} for job {JobId}: the job is {Status}, not {Expected}", what, JobId, State.Status, status);
        return false;
    }
}
