using Caas.Contracts.Bus;
using Caas.Contracts.Events;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Caas.Monitoring.Grains.Nodes;
using Caas.Monitoring.Grains.Policies;
using Caas.Monitoring.Grains.Starvation;
using Caas.Monitoring.Grains.Swap;
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
public sealed partial class JobGrain(
    JobJournal journal,
    IBus bus,
    PolicyResolver policies,
    [FromKeyedServices(MonitoringClock.Key)] TimeProvider time,
    Nodes.IPlatformHearing hearing,
    ILogger<JobGrain> logger)
    : JournaledGrain<JobState, IJobEvent>, IJobGrain, ISwappableJobGrain, IDistributedJobGrain, ICustomStorageInterface<JobState, IJobEvent>
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);
    /// <summary>The shortest wait before a look at a stall that is due sooner: bounds the looks when the clock stands still (a fake one).</summary>
    private static readonly TimeSpan ShortestWatchWait = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LaunchCheckTimeout = TimeSpan.FromSeconds(5);
    /// <summary>How long a requested checkpoint may stay unanswered before a new request replaces it.</summary>
    public static readonly TimeSpan CheckpointAnswerTimeout = TimeSpan.FromMinutes(10);

    /// <summary>How long a policy's move waits for the checkpoint it takes of the live job before it restores the newest earlier one.</summary>
    public static TimeSpan RecoveryCheckpointTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the pool's observed failures are asked for again (adaptive checkpoint intervals follow them).</summary>
    private static readonly TimeSpan ReliabilityRefresh = TimeSpan.FromSeconds(30);

    private readonly StallDetector _stalls = new(time, hearing);
    /// <summary>A distributed job's rank samples between the events that record them.</summary>
    private readonly Distributed.RankActivity _rankActivity = new();
    /// <summary>The pool of the job's node as the node directory last said; pool defaults and pool failure rates are looked up by it.</summary>
    private (string? Node, string? Pool) _nodePool;
    private PoolReliability? _reliability;
    private DateTimeOffset _reliabilityAt = DateTimeOffset.MinValue;
    private readonly StarvationDetector _starvation = new(time);
    private IGrainTimer? _watch;
    /// <summary>Why the queued job has no node yet, from the last placement attempt; not recorded, as it changes with every node heartbeat.</summary>
    private string? _unplacedBecause;
    /// <summary>What the swap board last heard from this job, and when: it is told again on a change or every refresh.</summary>
    private (string What, DateTimeOffset At)? _boardReport;

    private string JobId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        await RepublishUnansweredRecovery();
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
        if (spec.Ranks is { } ranks)
            return await SubmitDistributed(spec, ranks);

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
            await SendToAgent(node, new LaunchJob(JobId, node, spec, State.Epoch));
        KeepWatching();
        return View();
    }

    public Task<JobView?> GetView() => Task.FromResult(State.IsSubmitted ? View() : null);

    /// <summary>The folded state, and for a job still waiting for a node the reason placement gave last.</summary>
    private JobView View()
    {
        var view = State.ToView() with { CheckpointInterval = IntervalPlan(), Policy = PolicyView() };
        if (State.IsDistributed)
            view = view with { Ranks = _rankActivity.Overlay(State) };
        return State.Status == JobStatus.Queued && State.NodeId is null && _unplacedBecause is { } problem
            ? view with { StatusReason = $"waiting for a node: {problem}" }
            : view;
    }

    public Task<JobPolicyView> GetPolicy()
    {
        RequireSubmitted();
        return Task.FromResult(PolicyView());
    }

    public async Task<JobPolicyView> SetPolicy(RecoveryPolicy policy)
    {
        RequireSubmitted();
        var problems = RecoveryPolicyValidator.Validate(policy);
        if (problems.Count > 0)
            throw new OperationRejectedException(RejectionKind.Invalid, "The policy is invalid: " + string.Join(" ", problems.Select(p => p + ".")));
        RaiseEvent(new RecoveryPolicySet(JobId, policy, time.GetUtcNow()));
        await ConfirmEvents();
        KeepWatching();
        return PolicyView();
    }

    private JobPolicyView PolicyView()
    {
        var (policy, source) = policies.For(State.Spec!, PolicyTriggers.PoolOf(State, NodePool));
        return new JobPolicyView { JobId = JobId, Policy = policy, Source = source };
    }

    private RecoveryPolicy Policy => policies.For(State.Spec!, PolicyTriggers.PoolOf(State, NodePool)).Policy;

    private string? NodePool => _nodePool.Node is not null && _nodePool.Node == State.NodeId ? _nodePool.Pool : null;

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
        if (State.IsDistributed)
            await SendRanksWork(new CheckpointRanks(JobId, sequence, RankAssignments(), Stop: !leaveRunning));
        else
            await SendToAgent(node, new CheckpointJob(JobId, node, sequence, leaveRunning));
        return sequence;
    }

    public async Task RequestKill(string reason)
    {
        RequireSubmitted();
        var swappedOut = State.SwappedOut && State.Status == JobStatus.Stopped;
        if (State.Status is not (JobStatus.Running or JobStatus.Restoring or JobStatus.Lost) && !swappedOut)
            throw new OperationRejectedException(RejectionKind.Conflict, $"Job {JobId} is {State.Status}: only a running, restoring, lost or swapped-out job can be killed.");
        reason = string.IsNullOrWhiteSpace(reason) ? "killed on request" : reason;
        if (swappedOut)
        {
            // No process runs: the job leaves the swap-in line and stops; its checkpoints stay, under their retention.
            RaiseEvent(new KillRequested(JobId, reason, time.GetUtcNow()));
            await ConfirmEvents();
            await ReportToSwapBoard();
            return;
        }
        var node = State.NodeId!;
        var wasLost = State.Status == JobStatus.Lost;
        RaiseEvent(new KillRequested(JobId, reason, time.GetUtcNow()));
        await ConfirmEvents();
        if (State.IsDistributed)
            await SendRanksWork(new StopRanks(JobId, wasLost ? [.. RankAssignments().Where(r => r.NodeId != State.LostOnNode)] : RankAssignments(), reason));
        else
            await SendToAgent(node, new KillJob(JobId, node, reason));
    }

    public Task<Guid> RequestRestore(int? sequence, string reason) => RestoreAsync(sequence, null, reason);

    public Task<Guid> RequestRestoreOn(int sequence, string nodeId, string reason) =>
        string.IsNullOrWhiteSpace(nodeId)
            ? throw new OperationRejectedException(RejectionKind.Invalid, "A restore on another node needs that node's id.")
            : RestoreAsync(sequence, nodeId, reason);

    private async Task<Guid> RestoreAsync(int? sequence, string? onNode, string reason)
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
        if (State.IsDistributed)
            return await RestoreDistributed(checkpoint, onNode, reason);
        var incident = Guid.NewGuid();
        var node = onNode ?? State.NodeId ?? checkpoint.NodeId;
        // The job's node was lost with it: the job comes back elsewhere, from a copy of the checkpoint off that node.
        var awayFrom = State.LostOnNode is { } lost && lost == node ? lost : null;
        var holder = awayFrom is null ? null
            : State.HoldersOf(checkpoint.Sequence).FirstOrDefault(n => n != awayFrom)
              ?? throw new OperationRejectedException(RejectionKind.Conflict, $"Checkpoint {checkpoint.Sequence} of job {JobId} is held only by node {awayFrom}, which was lost.");
        var fallbacks = holder is null ? State.FallbacksFor(checkpoint.Sequence) : State.FallbacksHeldBy(holder, checkpoint.Sequence);
        var now = time.GetUtcNow();
        var recovery = RecordRestore(new RecoveryRequested(incident, JobId, node, checkpoint.Sequence, checkpoint.Progress, reason, now, fallbacks,
            AvoidNodeId: awayFrom, CheckpointNodeId: holder));
        await ConfirmEvents();
        await bus.Publish(recovery);
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
        var checkpoint = State.FindCheckpoint(sequence)
            ?? throw new OperationRejectedException(RejectionKind.NotFound, $"Job {JobId} has no checkpoint {sequence}.");
        // Verification and deletion work on one bundle on one node; a coordinated checkpoint is one per rank.
        return checkpoint.Ranks.Count == 0 ? checkpoint
            : throw new OperationRejectedException(RejectionKind.Conflict, $"Checkpoint {sequence} of job {JobId} is a distributed job's image set: it cannot be test-restored or deleted on its own yet.");
    }

    public async Task RecordHeartbeat(string nodeId, JobSample sample, DateTimeOffset at)
    {
        if (!IsKnown("heartbeat"))
            return;
        // The epoch, when the copy reports one, names exactly which copy is stale: its kill cannot end a newer one.
        if (sample.Epoch != 0 && sample.Epoch < State.Epoch)
        {
            await FenceOlderEpoch(nodeId, sample.Epoch);
            return;
        }
        if (State.Status == JobStatus.Lost && string.Equals(nodeId, State.LostOnNode, StringComparison.Ordinal))
        {
            // Nothing replaced it while its node was away: the job was cut off, not dead, and goes on where it is.
            logger.LogInformation("Job {JobId} came back with node {NodeId}: it goes on there", JobId, nodeId);
            RaiseEvent(new NodeReturnedWithJob(JobId, nodeId, sample.Pid, at));
            await ConfirmEvents();
        }
        else if (IsStaleCopy(nodeId))
        {
            await FenceStaleCopy(nodeId);
            return;
        }
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
        if (State.RecoveryCheckpoint?.Sequence == sequence)
            await RecoverAfterCheckpoint(failure: null);
        await CopyToAnotherNode(report.Checkpoint);
    }

    /// <summary>
    /// A checkpoint kept only on the node that took it dies with that node: a copy goes to another node where the job
    /// could run (recorded as <see cref="CheckpointCopied"/> when the target reports it). Best effort: with no such
    /// node, or a failed send, the checkpoint stays where it is.
    /// </summary>
    private async Task CopyToAnotherNode(CheckpointInfo checkpoint)
    {
        try
        {
            var holder = await GrainFactory.GetGrain<INodeDirectoryGrain>(0).ChooseCopyHolder(State.Spec!, checkpoint.NodeId);
            if (holder.NodeId is not { } target)
            {
                logger.LogInformation("Checkpoint {Sequence} of job {JobId} stays on node {NodeId} only: {Problem}", checkpoint.Sequence, JobId, checkpoint.NodeId, holder.Problem);
                return;
            }
            await SendToAgent(checkpoint.NodeId, new TransferCheckpoint(JobId, checkpoint.Sequence, checkpoint.NodeId, target, Guid.NewGuid()));
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogWarning(error, "Copying checkpoint {Sequence} of job {JobId} to another node failed; it stays on node {NodeId} only", checkpoint.Sequence, JobId, checkpoint.NodeId);
        }
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
        if (State.RecoveryCheckpoint?.Sequence == report.Sequence)
            await RecoverAfterCheckpoint(report.Reason);
    }

    public async Task RecordRestoreCompleted(RestoreCompleted report)
    {
        // Restores move jobs between nodes, so the report comes from the job's new node. An incident restores again
        // (from an older checkpoint) only when its restored copy never verified; a redelivered report is dropped.
        if (!IsKnown("restore report") || (State.LastRestoredIncident == report.IncidentId && State.LastRestoredSequence == report.Sequence))
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
        if (!IsKnown("checkpoint transfer report") || State.FindCheckpoint(report.Sequence) is null)
            return;
        // A redelivered report carries the same transfer id: the move is counted once, and the copy recorded once.
        if (!State.MovedTransfers.Contains(report.TransferId))
            RaiseEvent(new CheckpointMoved(JobId, report.TransferId, report.Sequence, report.SourceNodeId, report.TargetNodeId, report.BytesMoved, report.Duration, report.At));
        if (!State.HoldersOf(report.Sequence).Contains(report.TargetNodeId))
            RaiseEvent(new CheckpointCopied(JobId, report.Sequence, report.TargetNodeId, report.At));
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
        // A lost job whose node came back without it died with the node: that is how it ends.
        var ends = State.Status is JobStatus.Running or JobStatus.Queued or JobStatus.Lost
            || (State.Status == JobStatus.Restoring && State.KillRequested);
        if (!ends)
        {
            logger.LogInformation("Ignored an exit of job {JobId}: the job is {Status}", JobId, State.Status);
            return;
        }
        var reason = State.KillRequested ? "killed on request"
            : report.OutOfMemory ? ExitDescription.OutOfMemory(State.Spec!.MemoryLimitBytes)
            : ExitDescription.Of(report.ExitCode, report.Signal, report.Reason);
        if (State.Status == JobStatus.Lost)
            reason = $"node {report.NodeId} came back without the job: {reason}";
        var exited = new JobExited(JobId, report.ExitCode, report.Signal, reason, report.At);
        await LearnNodePool();
        var context = PolicyTriggers.ContextOf(State, NodePool);
        RaiseEvent(exited);
        // State shows confirmed events only, and whether the exit is a failure depends on the job's state after it.
        await ConfirmEvents();
        if (PolicyTriggers.Of(exited, State) is { } trigger)
        {
            var now = time.GetUtcNow();
            var incident = Guid.NewGuid();
            var decision = RecoveryPolicyEvaluator.Decide(Policy, State.PolicyHistory, trigger, context, now);
            RaiseEvent(new RecoveryPolicyApplied(JobId, incident, decision, now));
            var recovery = StartRecoveryIfDue(incident, decision, $"failed: {reason}", now);
            await ConfirmEvents();
            logger.LogInformation("Job {JobId} failed ({Reason}); policy: {Decision}", JobId, reason, decision.Reason);
            await Carry(recovery);
        }
        KeepWatching();
    }

    public async Task RecoverFromNodeLoss(string nodeId, DateTimeOffset lostAt)
    {
        if (State.IsDistributed)
        {
            await LoseRankOn(nodeId, lostAt);
            return;
        }
        // Only a job running there went down with the node; one being restored already has its incident.
        if (!State.IsSubmitted || State.NodeId != nodeId || State.Status is not (JobStatus.Running or JobStatus.Queued))
            return;
        if (State.Status == JobStatus.Queued)
        {
            await PlaceAgainAwayFrom(nodeId);
            return;
        }
        var now = time.GetUtcNow();
        var source = State.NewestCheckpointOffNode(nodeId);
        RaiseEvent(new NodeLostWithJob(JobId, nodeId, lostAt, now));
        if (source is not var (checkpoint, holder, fallbacks))
        {
            await ConfirmEvents();
            logger.LogWarning("Job {JobId} is lost with node {NodeId}: no checkpoint of it is held on another node", JobId, nodeId);
            KeepWatching();
            return;
        }
        var incident = Guid.NewGuid();
        var reason = $"node {nodeId} lost at {lostAt:u}: restoring checkpoint {checkpoint.Sequence} (held by {holder}) on another node";
        var recovery = RecordRestore(new RecoveryRequested(incident, JobId, nodeId, checkpoint.Sequence, checkpoint.Progress, reason, now, fallbacks,
            AvoidNodeId: nodeId, CheckpointNodeId: holder));
        await ConfirmEvents();
        logger.LogWarning("Job {JobId} is lost with node {NodeId}; incident {Incident} restores checkpoint {Sequence} elsewhere", JobId, nodeId, incident, checkpoint.Sequence);
        await bus.Publish(recovery);
        KeepWatching();
    }

    /// <summary>A job placed on a node that was lost before it started: its launch went nowhere, so it goes elsewhere.</summary>
    private async Task PlaceAgainAwayFrom(string lostNodeId)
    {
        var placement = await GrainFactory.GetGrain<INodeDirectoryGrain>(0).ChooseExcept(State.Spec!, [lostNodeId]);
        _unplacedBecause = placement.Problem;
        if (placement.NodeId is not { } node)
        {
            logger.LogWarning("Job {JobId} was placed on lost node {NodeId} and no other node fits yet: {Problem}", JobId, lostNodeId, placement.Problem);
            return;
        }
        RaiseEvent(new JobPlaced(JobId, node, time.GetUtcNow()));
        await ConfirmEvents();
        await SendToAgent(node, new LaunchJob(JobId, node, State.Spec!, State.Epoch));
    }

    public Task<PlacementDecision> PlaceForRecovery(IReadOnlyCollection<string> excludedNodeIds) => PlaceForRecovery(excludedNodeIds, null, null);

    public Task<PlacementDecision> PlaceForRecovery(IReadOnlyCollection<string> excludedNodeIds, RecoveryTargets? targets, int? sequence)
    {
        RequireSubmitted();
        var image = sequence is { } wanted ? State.FindCheckpoint(wanted) : null;
        return GrainFactory.GetGrain<INodeDirectoryGrain>(0).ChooseForRecovery(State.Spec!, excludedNodeIds, targets, image);
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
            if (State.IsDistributed)
                await WatchDistributed();
            else
                await WatchOrdinary();
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogError(error, "Watching job {JobId} failed; trying again in {Interval}", JobId, WatchInterval);
        }
        LookAgainWhenStallIsDue();
    }

    private async Task WatchOrdinary()
    {
        if (State.Status == JobStatus.Queued && State.NodeId is null)
            await TryPlace();
        else if (State.SwappedOut)
            await TrySwapIn();
        else if (_stalls.ShouldRaise(State))
            await RaiseStall();
        else if (_starvation.Find(State) is { } starved)
            await RaiseStarvation(starved);
        else if (_starvation.RecoveredRate(State) is { } rate)
            await EndStarvation(rate);
        else if (State.PendingRecovery is { } pending && pending.NotBefore <= time.GetUtcNow())
            await StartPendingRecovery(pending, State.PendingRecoveryIncident!.Value);
        else if (State.RecoveryCheckpoint is { } waiting && time.GetUtcNow() - waiting.At >= RecoveryCheckpointTimeout)
            await GiveUpRecoveryCheckpoint(waiting);
        await LearnWhereTheJobRuns();
        await CheckpointPeriodically();
        await ReportToSwapBoard();
    }

    /// <summary>
    /// Looks every second, but at the moment a stall falls due when that comes sooner, so a stall is found at its
    /// threshold instead of up to a whole watch interval later.
    /// </summary>
    private void LookAgainWhenStallIsDue()
    {
        if (_watch is null || _stalls.DueAt(State, _rankActivity) is not { } due)
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
        {
            if (placement.Problem?.StartsWith(NodePlacement.FullProblemStart, StringComparison.Ordinal) == true)
                await TrySwapOutAnother();
            return;
        }
        RaiseEvent(new JobPlaced(JobId, node, time.GetUtcNow()));
        await ConfirmEvents();
        await Board.Placed(JobId);
        await SendToAgent(node, new LaunchJob(JobId, node, State.Spec!, State.Epoch));
    }

    private ISwapBoardGrain Board => GrainFactory.GetGrain<ISwapBoardGrain>(0);

    /// <summary>
    /// The job's pool is full: the running job of lowest priority below this one's is swapped out (docs/policies.md,
    /// "Swap-out and swap-in"), and this job takes the slot when it frees; otherwise it waits, saying why.
    /// </summary>
    private async Task TrySwapOutAnother()
    {
        var spec = State.Spec!;
        var choice = await Board.ChooseVictim(JobId, spec.Priority, spec.Pool);
        if (choice.Victim is not { } victim)
        {
            _unplacedBecause += $"; nothing to swap out: {choice.Problem}";
            return;
        }
        var started = await GrainFactory.GetGrain<ISwappableJobGrain>(victim.JobId).SwapOut(JobId, spec.Priority);
        _unplacedBecause = started
            ? $"job {victim.JobId} (priority {victim.Priority}) is being swapped out of node {victim.NodeId} for this job"
            : $"job {victim.JobId} (priority {victim.Priority}) on node {victim.NodeId} is to be swapped out for this job once its checkpoint in progress ends";
    }

    public async Task<bool> SwapOut(string byJobId, int byPriority)
    {
        // A restore not yet verified is still its recovery's (or swap-in's) to finish: it is not taken mid-restore.
        if (!State.IsSubmitted || State.Status != JobStatus.Running || State.IsDistributed || State.IsMidRestore)
            return false;
        if (State.SwapOutSequence is not null)
            return true;
        if (State.PendingCheckpoint is not null)
            return false;
        var now = time.GetUtcNow();
        var node = State.NodeId!;
        var sequence = State.NextCheckpointSequence;
        var reason = $"job {byJobId} (priority {byPriority}) took its slot on node {node}; this job's priority is {State.Spec!.Priority}";
        RaiseEvent(new JobSwapOutRequested(JobId, sequence, byJobId, reason, now));
        RaiseEvent(new CheckpointRequested(JobId, sequence, false, now));
        await ConfirmEvents();
        logger.LogInformation("Swapping job {JobId} out to checkpoint {Sequence}: {Reason}", JobId, sequence, reason);
        await SendToAgent(node, new CheckpointJob(JobId, node, sequence, false));
        return true;
    }

    /// <summary>
    /// A swapped-out job whose turn has come (swap board) and that finds a free slot in its pool is restored there from
    /// its swap-out checkpoint by the recovery saga, which first moves the image when another node holds it.
    /// </summary>
    private async Task TrySwapIn()
    {
        if (State.Status != JobStatus.Stopped || State.NewestCheckpoint is not { } checkpoint)
            return;
        await ReportToSwapBoard();
        if (!await Board.IsNextToSwapIn(JobId, State.Spec!.Pool))
            return;
        var placement = await GrainFactory.GetGrain<INodeDirectoryGrain>(0).Choose(State.Spec!);
        if (placement.NodeId is not { } node)
            return;
        var now = time.GetUtcNow();
        var incident = Guid.NewGuid();
        var holder = State.HoldersOf(checkpoint.Sequence).Contains(node) ? null : checkpoint.NodeId;
        var fallbacks = holder is null ? State.FallbacksFor(checkpoint.Sequence) : State.FallbacksHeldBy(holder, checkpoint.Sequence);
        var reason = $"swapped in on node {node}: a slot freed";
        RaiseEvent(new JobSwappedIn(JobId, incident, checkpoint.Sequence, node, now));
        var recovery = RecordRestore(new RecoveryRequested(incident, JobId, node, checkpoint.Sequence, checkpoint.Progress, reason, now, fallbacks, CheckpointNodeId: holder));
        await ConfirmEvents();
        await ReportToSwapBoard();
        logger.LogInformation("Swapping job {JobId} in on node {NodeId} from checkpoint {Sequence}", JobId, node, checkpoint.Sequence);
        await bus.Publish(recovery);
    }

    /// <summary>Tells the swap board whether the job runs (and may be swapped out) or waits swapped out, on a change or every refresh.</summary>
    private async Task ReportToSwapBoard()
    {
        var now = time.GetUtcNow();
        var what = State.SwappedOut && State.Status == JobStatus.Stopped ? "waiting"
            : State.Status == JobStatus.Running && State.SwapOutSequence is null && !State.IsMidRestore ? $"running on {State.NodeId} in {NodePool}"
            : "gone";
        if (_boardReport is { } last && last.What == what && (what == "gone" || now - last.At < SwapBoardGrain.Refresh))
            return;
        if (_boardReport is null && what == "gone")
            return;
        var spec = State.Spec!;
        if (what == "waiting")
            await Board.Waiting(new SwappedOutJob(JobId, spec.Priority, State.SwappedOutAt ?? now), spec.Pool);
        else if (what != "gone")
            await Board.Running(new SwapCandidate(JobId, State.NodeId!, spec.Priority, State.RunningSince ?? now, State.SwappedInAt is not null), NodePool);
        else
            await Board.Left(JobId);
        _boardReport = (what, now);
    }

    private async Task RaiseStall()
    {
        var now = time.GetUtcNow();
        var incident = Guid.NewGuid();
        var since = State.LastActivityAt!.Value;
        var spec = State.Spec!;
        var node = State.NodeId!;
        var checkpoint = State.NewestCheckpoint;
        var decision = await Decide(PolicyTrigger.Stall, now);
        RaiseEvent(new JobStalled(JobId, incident, since, spec.StallThreshold, now));
        RaiseEvent(new RecoveryPolicyApplied(JobId, incident, decision, now));
        // Recovery restores the job under this incident; recording it here keeps the job's status honest meanwhile
        // (Restoring, so the exit of the hung copy the agent kills is not taken for a failure).
        var recovery = StartRecoveryIfDue(incident, decision, $"stalled: no progress for {DurationText.Of(now - since)}", now);
        await ConfirmEvents();
        MonitoringMetrics.DetectionLatency.Record(Math.Max(0, (now - (since + spec.StallThreshold)).TotalSeconds), new KeyValuePair<string, object?>("detector", "stall"));
        logger.LogWarning("Job {JobId} stalled: no progress since {Since}; policy: {Decision}", JobId, since, decision.Reason);
        if (recovery is not null)
            await Carry(recovery);
        else if (!decision.Acts)
            // The recovery saga records the incident: as not attempted when the policy only alerts or holds back (the
            // stall alert is the notification), as failed for want of a checkpoint when it wanted to restore.
            await bus.Publish(new JobStallDetected(incident, JobId, node,
                checkpoint is null && RecoveryPolicyEvaluator.ActionFor(Policy, PolicyTrigger.Stall) != RecoveryAction.None ? StallAction.RestoreFromLastCheckpoint : StallAction.AlertOnly,
                checkpoint?.Sequence, checkpoint?.NodeId, checkpoint?.Progress, since, now,
                checkpoint is null ? null : State.FallbacksFor(checkpoint.Sequence)));
        KeepWatching();
    }

    private async Task RaiseStarvation(StarvationFinding finding)
    {
        var now = time.GetUtcNow();
        var incident = Guid.NewGuid();
        var spec = State.Spec!;
        var node = State.NodeId!;
        var decision = await Decide(PolicyTrigger.Starvation, now);
        RaiseEvent(new JobStarved(JobId, incident, finding.Cause, finding.Detail, finding.Rate, finding.BaselineRate, spec.StarvationWindow, now));
        RaiseEvent(new RecoveryPolicyApplied(JobId, incident, decision, now));
        var recovery = StartRecoveryIfDue(incident, decision, $"starved ({finding.Cause.ToString().ToLowerInvariant()}) on {node}: {finding.Detail}", now);
        await ConfirmEvents();
        logger.LogWarning("Job {JobId} starved ({Cause}): {Detail}; policy: {Decision}", JobId, finding.Cause, finding.Detail, decision.Reason);
        await bus.Publish(new JobStarvationDetected(incident, JobId, node, finding.Cause, finding.Detail, finding.Rate, finding.BaselineRate, now));
        await Carry(recovery);
        KeepWatching();
    }

    private async Task EndStarvation(double rate)
    {
        RaiseEvent(new JobStarvationEnded(JobId, State.StarvationIncident!.Value, rate, time.GetUtcNow()));
        await ConfirmEvents();
        logger.LogInformation("Job {JobId} is back to its usual pace", JobId);
    }

    public async Task RecordNodeLost(string nodeId, DateTimeOffset at)
    {
        if (State.IsDistributed)
        {
            await LoseRankOn(nodeId, at);
            return;
        }
        if (!IsFromJobNode(nodeId, "node loss") || State.Status != JobStatus.Running)
            return;
        var now = time.GetUtcNow();
        var incident = Guid.NewGuid();
        var decision = await Decide(PolicyTrigger.NodeLost, now);
        RaiseEvent(new JobNodeLost(JobId, incident, nodeId, at));
        RaiseEvent(new RecoveryPolicyApplied(JobId, incident, decision, now));
        var recovery = StartRecoveryIfDue(incident, decision, $"node {nodeId} lost as of {at:u}", now);
        await ConfirmEvents();
        logger.LogWarning("Job {JobId} lost its node {NodeId}; policy: {Decision}", JobId, nodeId, decision.Reason);
        await Carry(recovery);
        KeepWatching();
    }

    /// <summary>The policy's answer to an incident, knowing the pool of the job's node (pool defaults and cross-pool moves depend on it).</summary>
    private async Task<PolicyDecision> Decide(PolicyTrigger trigger, DateTimeOffset now)
    {
        await LearnNodePool();
        return RecoveryPolicyEvaluator.Decide(Policy, State.PolicyHistory, trigger, PolicyTriggers.ContextOf(State, NodePool), now);
    }

    private async Task LearnNodePool()
    {
        if (State.NodeId is { } node && _nodePool.Node != node)
            _nodePool = (node, await GrainFactory.GetGrain<IPoolReliabilityGrain>(0).PoolOf(node));
    }

    /// <summary>
    /// Records the restore a decision asks for when it is due now, and returns the request for recovery to publish after
    /// the events are confirmed; null when the decision does nothing or waits out a backoff (then it is pending).
    /// </summary>
    private RecoveryStart? StartRecoveryIfDue(Guid incident, PolicyDecision decision, string reason, DateTimeOffset now)
    {
        if (!decision.Acts || decision.NotBefore > now)
            return null;
        if (CanCheckpointBeforeMoving(decision))
        {
            var sequence = State.NextCheckpointSequence;
            RaiseEvent(new RecoveryCheckpointRequested(JobId, incident, sequence, decision, reason, now));
            RaiseEvent(new CheckpointRequested(JobId, sequence, LeaveRunning: false, now));
            return new RecoveryStart(null, new CheckpointJob(JobId, State.NodeId!, sequence, LeaveRunning: false));
        }
        return State.NewestCheckpoint is { } checkpoint ? new RecoveryStart(RestoreFor(incident, decision, checkpoint, reason, null, now), null) : null;
    }

    /// <summary>
    /// A policy that moves a job still running (stalled or starved on its node) moves what it has done up to now: a
    /// stop-mode checkpoint first (<see cref="RecoveryPolicyEvaluator.TakesCheckpointFirst"/>), when one can be taken now
    /// (<see cref="PolicyTriggers.CanCheckpointNow"/>); else the newest earlier checkpoint is moved.
    /// </summary>
    private bool CanCheckpointBeforeMoving(PolicyDecision decision) =>
        RecoveryPolicyEvaluator.TakesCheckpointFirst(decision.Action, decision.Trigger) && PolicyTriggers.CanCheckpointNow(State);

    /// <summary>Records the restore of <paramref name="checkpoint"/> for the incident, and returns the request recovery gets once the events are confirmed.</summary>
    private RecoveryRequested RestoreFor(Guid incident, PolicyDecision decision, CheckpointInfo checkpoint, string reason, string? checkpointNote, DateTimeOffset now)
    {
        return RecordRestore(new RecoveryRequested(incident, JobId, checkpoint.NodeId, checkpoint.Sequence, checkpoint.Progress, reason, now,
            State.FallbacksFor(checkpoint.Sequence), decision.Action, decision.Trigger, decision.Targets, decision.Attempt, CheckpointNote: checkpointNote));
    }

    /// <summary>
    /// Records the restore <paramref name="request"/> asks recovery for, with the request itself, and returns it with the
    /// epoch the restore gets, to publish once the events are confirmed. A host that dies in between has the request in
    /// the stream: the grain publishes it again when it next activates (<see cref="RepublishUnansweredRecovery"/>).
    /// </summary>
    private RecoveryRequested RecordRestore(RecoveryRequested request)
    {
        // RestoreRequested gives the job its next epoch.
        request = request with { Epoch = TentativeState.Epoch + 1 };
        RaiseEvent(new RestoreRequested(JobId, request.IncidentId, request.Sequence, request.Reason, request.At, request));
        return request;
    }

    /// <summary>
    /// A restore recorded but never answered (no restore, no end of its incident) may never have reached recovery: its host
    /// died between recording it and publishing the request. Published again on activation; recovery ignores a request for
    /// an incident it already has (one saga per incident id), so a copy that did arrive changes nothing.
    /// </summary>
    private async Task RepublishUnansweredRecovery()
    {
        if (State is { Status: JobStatus.Restoring, RestoringRequest: { } request } && request.IncidentId == State.RestoringIncident
            && State.LastRestoredIncident != request.IncidentId && State.LastFinishedRecovery != request.IncidentId)
        {
            logger.LogInformation("Job {JobId} is restoring under incident {Incident} with no answer yet: its recovery request is published again", JobId, request.IncidentId);
            try
            {
                await bus.Publish(request);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The grain must activate even while the bus is down; the next activation tries again.
                logger.LogWarning(error, "Publishing the recovery request of job {JobId} (incident {Incident}) again failed", JobId, request.IncidentId);
            }
        }
    }

    /// <summary>
    /// The checkpoint a policy's move waited for was taken or failed (<paramref name="failure"/>): the restore of the
    /// incident is requested now, from that checkpoint, or from the newest earlier one (the copy still running on the old
    /// node is then killed first, by its epoch, so the job never runs twice).
    /// </summary>
    private async Task RecoverAfterCheckpoint(string? failure)
    {
        if (State.RecoveryCheckpoint is not { } waiting)
            return;
        var now = time.GetUtcNow();
        var taken = failure is null ? State.FindCheckpoint(waiting.Sequence) : null;
        var checkpoint = taken ?? State.NewestCheckpoint;
        if (checkpoint is null)
        {
            RaiseEvent(new RecoveryPolicyApplied(JobId, waiting.IncidentId, waiting.Decision with
            {
                Action = RecoveryAction.None, Attempt = 0, Targets = null, At = now, NotBefore = now,
                Reason = $"{waiting.Decision.Reason}; dropped: checkpoint {waiting.Sequence} failed ({failure}) and no earlier checkpoint is left",
            }, now));
            await ConfirmEvents();
            return;
        }
        var note = taken is not null
            ? $"checkpoint {taken.Sequence} taken from the running job at the incident (progress {ProgressText(taken.Progress)})"
            : $"checkpoint {waiting.Sequence} at the incident failed ({failure}); the newest earlier one, {checkpoint.Sequence} (progress {ProgressText(checkpoint.Progress)}), is restored instead";
        var oldCopy = taken is null && State.Status == JobStatus.Running ? (Node: State.NodeId!, Epoch: State.Epoch) : ((string Node, long Epoch)?)null;
        var recovery = RestoreFor(waiting.IncidentId, waiting.Decision, checkpoint, waiting.Reason, note, now);
        await ConfirmEvents();
        logger.LogWarning("Job {JobId}: {Note}; incident {Incident} moves it", JobId, note, waiting.IncidentId);
        if (oldCopy is { } old)
            await SendToAgent(old.Node, new KillJob(JobId, old.Node, $"moved by its policy (incident {waiting.IncidentId}) from an earlier checkpoint", old.Epoch));
        await bus.Publish(recovery);
        KeepWatching();
    }

    private static string ProgressText(double? progress) =>
        progress is { } p ? p.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) : "unknown";

    /// <summary>What a decision due now starts: a restore request to publish, or first the checkpoint to send to the job's node.</summary>
    private sealed record RecoveryStart(RecoveryRequested? Request, CheckpointJob? Checkpoint);

    /// <summary>Sends what <see cref="StartRecoveryIfDue"/> started, once its events are confirmed.</summary>
    private async Task Carry(RecoveryStart? start)
    {
        if (start?.Request is { } request)
            await bus.Publish(request);
        else if (start?.Checkpoint is { } checkpoint)
            await SendToAgent(checkpoint.NodeId, checkpoint);
    }

    /// <summary>A recovery whose backoff ended: carried out if its incident still stands, otherwise dropped with the reason.</summary>
    private async Task StartPendingRecovery(PolicyDecision pending, Guid incident)
    {
        var now = time.GetUtcNow();
        var stands = pending.Trigger switch
        {
            PolicyTrigger.Stall => State.StallIncident == incident,
            PolicyTrigger.Starvation => State.StarvationIncident == incident,
            PolicyTrigger.Failure => State.Status == JobStatus.Failed,
            // Until a restore starts the job stays recorded as running on the lost node.
            _ => State.Status == JobStatus.Running && State.NodeId == pending.Targets?.AvoidNodeId,
        };
        RecoveryStart? recovery = null;
        if (!stands || (State.NewestCheckpoint is null && !CanCheckpointBeforeMoving(pending)))
            RaiseEvent(new RecoveryPolicyApplied(JobId, incident, pending with
            {
                Action = RecoveryAction.None,
                Attempt = 0,
                Targets = null,
                Reason = stands ? $"{pending.Reason}; dropped: no checkpoint left to restore" : $"{pending.Reason}; dropped: the incident ended before the backoff did",
                At = now,
                NotBefore = now,
            }, now));
        else
            recovery = StartRecoveryIfDue(incident, pending with { NotBefore = now }, pending.Reason, now);
        await ConfirmEvents();
        await Carry(recovery);
        KeepWatching();
    }

    private async Task GiveUpRecoveryCheckpoint(RecoveryCheckpointRequested waiting)
    {
        var problem = $"no answer from node {State.NodeId} within {DurationText.Of(RecoveryCheckpointTimeout)}";
        if (State.PendingCheckpoint == waiting.Sequence)
            RaiseEvent(new CheckpointFailed(JobId, waiting.Sequence, problem, time.GetUtcNow()));
        await ConfirmEvents();
        await RecoverAfterCheckpoint(problem);
    }

    /// <summary>Asks the node directory for the pool of the job's node when it changed, and for the pool's failures every so often.</summary>
    private async Task LearnWhereTheJobRuns()
    {
        await LearnNodePool();
        var now = time.GetUtcNow();
        if (State.Status == JobStatus.Running && Policy.Checkpoints.Mode == CheckpointMode.Adaptive && now - _reliabilityAt >= ReliabilityRefresh
            && PolicyTriggers.PoolOf(State, NodePool) is { } pool)
        {
            _reliability = await GrainFactory.GetGrain<IPoolReliabilityGrain>(0).Reliability(pool);
            _reliabilityAt = now;
        }
    }

    /// <summary>
    /// The periodic checkpoint interval in force, counted from the job's last checkpoint request or (re)start, so a
    /// reactivated grain picks the schedule up from the recorded stream.
    /// </summary>
    private CheckpointIntervalView? IntervalPlan()
    {
        if (!State.IsSubmitted)
            return null;
        var last = Later(Later(State.RunningSince, State.PendingCheckpointSince), State.NewestCheckpoint?.TakenAt);
        var plan = CheckpointIntervalPlanner.Plan(Policy.Checkpoints, State.Checkpoints, _reliability, last);
        return State.Status == JobStatus.Running ? plan : plan with { NextDueAt = null };
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null || a > b ? a : b;

    /// <summary>Leave-running checkpoints at the interval in force; none while one is in progress or the job is stalled or stopped.</summary>
    private async Task CheckpointPeriodically()
    {
        if (State.Status != JobStatus.Running || State.PendingCheckpoint is not null || State.IsStalled || State.IsProcessStopped)
            return;
        // This runs every second for every job; without periodic checkpoints there is no plan to make (nor its text).
        if (Policy.Checkpoints.Mode == CheckpointMode.Off)
            return;
        if (IntervalPlan() is not { NextDueAt: { } due, Interval: { } interval } || due > time.GetUtcNow())
            return;
        var sequence = await RequestCheckpoint(leaveRunning: true);
        logger.LogInformation("Periodic checkpoint {Sequence} of job {JobId} (every {Interval})", sequence, JobId, interval);
    }

    /// <summary>A job that may still move needs its watch (placement retries, stall detection); a finished one does not.</summary>
    private void KeepWatching()
    {
        var live = State.IsSubmitted && (State.Status is JobStatus.Queued or JobStatus.Running or JobStatus.Restoring || State.PendingRecovery is not null || State.SwappedOut);
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
            if (!AgentMessages.IsAnswerOf(answer.Message, node))
            {
                logger.LogWarning("Node {Speaker} answered the launch check of job {JobId} meant for node {NodeId}; its answer is ignored, submitting anyway",
                    answer.Message.NodeId, JobId, node);
                return;
            }
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

    /// <summary>
    /// Fencing: a copy of the job on the node it was lost with must not run on (the node was written off: the job is
    /// being restored elsewhere or failed with it), nor a copy on any node but the job's once it runs again. While a
    /// restore is under way the new node's first heartbeats may come before its report, so only the lost node is fenced then.
    /// </summary>
    private bool IsStaleCopy(string nodeId) =>
        string.Equals(nodeId, State.LostOnNode, StringComparison.Ordinal)
        || (State.Status is not (JobStatus.Queued or JobStatus.Restoring) && !string.Equals(nodeId, State.NodeId, StringComparison.Ordinal));

    private async Task FenceStaleCopy(string nodeId)
    {
        logger.LogWarning("Node {NodeId} still runs a copy of job {JobId}, which is {Status} on {JobNode}: killing that stale copy", nodeId, JobId, State.Status, State.NodeId ?? "no node");
        await SendToAgent(nodeId, new KillJob(JobId, nodeId, $"stale copy: node {nodeId} was written off for job {JobId}, which runs on {State.NodeId ?? "no node"} now"));
    }

    /// <summary>
    /// A copy started under an older placement reports: its heartbeat is refused (it must not verify a restore nor move
    /// the job's progress). It is killed when another copy is (or is about to be) the job: the job runs again, a restore
    /// elsewhere is under way, or the copy is on the node the job was lost with. A restore onto its own node replaces it
    /// itself, and a job that ended (failed, stopped) is left as it was before epochs: its heartbeats ignored.
    /// The kill names the epoch, so it cannot end a newer copy the same node started meanwhile.
    /// </summary>
    private async Task FenceOlderEpoch(string nodeId, long epoch)
    {
        var onJobNode = string.Equals(nodeId, State.NodeId, StringComparison.Ordinal);
        var supersededHere = string.Equals(nodeId, State.LostOnNode, StringComparison.Ordinal)
            || State.Status is JobStatus.Running or JobStatus.Queued
            || (State.Status == JobStatus.Restoring && !onJobNode);
        if (!supersededHere)
        {
            logger.LogInformation("Refused a heartbeat of job {JobId} from node {NodeId}: epoch {Epoch} is older than the job's {Current} and the job is {Status}", JobId, nodeId, epoch, State.Epoch, State.Status);
            return;
        }
        logger.LogWarning("Node {NodeId} runs job {JobId} under epoch {Epoch}, older than its placement {Current} on {JobNode}: killing that stale copy", nodeId, JobId, epoch, State.Epoch, State.NodeId ?? "no node");
        await SendToAgent(nodeId, new KillJob(JobId, nodeId, $"stale copy: epoch {epoch} of job {JobId} was superseded by epoch {State.Epoch}", UpToEpoch: epoch));
    }

    private bool IsIn(JobStatus status, string what)
    {
        if (State.Status == status)
            return true;
        logger.LogInformation("Ignored a {What} for job {JobId}: the job is {Status}, not {Expected}", what, JobId, State.Status, status);
        return false;
    }
}
