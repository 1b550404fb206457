using Caas.Contracts.Bus;
using Caas.Contracts.Events;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Caas.Monitoring.Grains.Distributed;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains;

/// <summary>
/// A distributed job (<see cref="JobSpec.Ranks"/>): N ranks on N distinct nodes, each at an address the rank fabric
/// leased to the job. The grain decides and records as for any job; the work on the ranks (launch, coordinated
/// checkpoint, restore, stop) goes to <see cref="DistributedJobAddress"/>, where a platform host drives the agents and
/// reports the outcome back here (<see cref="IDistributedJobGrain"/>). The job's status folds its ranks': it runs while
/// they all run, completes when every rank exited 0, fails when one failed, and is lost when a rank's node is.
/// </summary>
public sealed partial class JobGrain
{
    private async Task<JobView> SubmitDistributed(JobSpec spec, int ranks)
    {
        var placement = await GrainFactory.GetGrain<INodeDirectoryGrain>(0).ChooseRanks(spec, ranks, []);
        if (placement.Never)
            throw new OperationRejectedException(RejectionKind.Invalid, $"The job cannot be placed: {placement.Problem}.");
        // Leased before anything is recorded: a platform without a fabric, or with too few free addresses, refuses the job.
        var addresses = await Fabric.Lease(JobId, ranks);
        _unplacedBecause = placement.Problem;
        var now = time.GetUtcNow();
        RaiseEvent(new JobSubmitted(JobId, spec, now));
        if (placement.NodeIds is { } nodes)
            RaiseEvent(new RanksPlaced(JobId, Assign(nodes, addresses), now));
        await ConfirmEvents();
        if (placement.NodeIds is not null)
            await SendLaunch();
        KeepWatching();
        return View();
    }

    private IRankFabricGrain Fabric => GrainFactory.GetGrain<IRankFabricGrain>(0);

    private static RankAssignment[] Assign(IReadOnlyList<string> nodes, IReadOnlyList<string> addresses) =>
        [.. nodes.Select((node, rank) => new RankAssignment(rank, node, addresses[rank]))];

    /// <summary>Where every rank runs now (or is placed, or was last), index = rank.</summary>
    private RankAssignment[] RankAssignments() => [.. State.Ranks.Select(r => new RankAssignment(r.Rank, r.NodeId, r.Address))];

    private Task SendLaunch() =>
        SendRanksWork(new LaunchRanks(JobId, State.Epoch, RankAssignments(), State.Spec!.Command, State.Spec.Args));

    private async Task SendRanksWork<T>(T work) where T : class
    {
        var endpoint = await bus.GetSendEndpoint(DistributedJobAddress.Queue);
        await endpoint.Send(work);
    }

    /// <summary>A queued distributed job tries again each watch until every rank finds a node.</summary>
    private async Task TryPlaceRanks()
    {
        var spec = State.Spec!;
        var placement = await GrainFactory.GetGrain<INodeDirectoryGrain>(0).ChooseRanks(spec, spec.Ranks!.Value, []);
        _unplacedBecause = placement.Problem;
        if (placement.NodeIds is not { } nodes)
            return;
        var addresses = await Fabric.Lease(JobId, spec.Ranks.Value);
        RaiseEvent(new RanksPlaced(JobId, Assign(nodes, addresses), time.GetUtcNow()));
        await ConfirmEvents();
        await SendLaunch();
    }

    public async Task RecordRanksLaunched(long epoch, string? failure)
    {
        if (!IsKnown("rank launch report") || epoch != State.Epoch || !IsIn(JobStatus.Queued, "rank launch report"))
            return;
        var now = time.GetUtcNow();
        RaiseEvent<IJobEvent>(failure is null
            ? new JobStarted(JobId, State.NodeId!, 0, now)
            : new JobStartFailed(JobId, State.NodeId!, failure, now));
        await ConfirmEvents();
        if (failure is not null)
            await ReleaseAddresses();
        KeepWatching();
    }

    /// <summary>
    /// A coordinated checkpoint with no outcome after <see cref="CheckpointAnswerTimeout"/> (far beyond the runner's own
    /// step timeouts) was lost with the host driving it, which may have stopped with the ranks locked: it is recorded as
    /// failed (the pending checkpoint is in the job's stream, so this holds across restarts of any process) and every
    /// rank is unlocked, so the job's traffic flows again. A late outcome of it is ignored: it is no longer pending.
    /// </summary>
    private async Task GiveUpStuckCoordinatedCheckpoint()
    {
        var now = time.GetUtcNow();
        if (State.Status != JobStatus.Running || State.PendingCheckpoint is not { } sequence || State.PendingCheckpointSince is not { } since
            || now - since < CheckpointAnswerTimeout)
            return;
        var reason = $"no outcome within {CheckpointAnswerTimeout.TotalMinutes:0} minutes (the host driving it may have stopped); every rank was asked to unlock";
        RaiseEvent(new CheckpointFailed(JobId, sequence, reason, now));
        await ConfirmEvents();
        logger.LogWarning("Coordinated checkpoint {Sequence} of job {JobId} given up: {Reason}", sequence, JobId, reason);
        await SendRanksWork(new UnlockRanks(JobId, sequence, RankAssignments(), $"checkpoint {sequence} given up"));
    }

    public async Task RecordRanksCheckpointed(int sequence, IReadOnlyList<RankCheckpoint>? ranks, string? failure)
    {
        if (!IsKnown("coordinated checkpoint report") || State.PendingCheckpoint != sequence)
            return;
        var now = time.GetUtcNow();
        if (ranks is null || ranks.Count != State.Ranks.Count)
        {
            RaiseEvent(new CheckpointFailed(JobId, sequence, failure ?? "no rank reported", now));
            await ConfirmEvents();
            logger.LogWarning("Coordinated checkpoint {Sequence} of job {JobId} failed; the job runs on: {Reason}", sequence, JobId, failure);
            return;
        }
        var since = State.PendingCheckpointSince ?? now;
        // One catalog entry for the image set: it names rank 0's node, and every rank's share is listed with it.
        RaiseEvent(new CheckpointTaken(JobId, new CheckpointInfo
        {
            Sequence = sequence,
            NodeId = ranks.Single(r => r.Rank == 0).NodeId,
            TakenAt = now,
            Progress = State.Progress,
            Duration = now - since,
            AppPause = ranks.Max(r => r.AppPause),
            Dump = ranks.Max(r => r.Dump),
            LeaveRunning = State.PendingCheckpointLeavesRunning,
            Engine = "criu",
            Ranks = [.. ranks.OrderBy(r => r.Rank)],
        }, now));
        await ConfirmEvents();
        KeepWatching();
    }

    public async Task<Guid> RestoreRanksIn(int sequence, string pool, string reason)
    {
        RequireSubmitted();
        if (State.Status == JobStatus.Restoring)
            throw new OperationRejectedException(RejectionKind.Conflict, $"Job {JobId} is already being restored (incident {State.RestoringIncident}).");
        var checkpoint = State.FindCheckpoint(sequence) ?? throw new OperationRejectedException(RejectionKind.NotFound, $"Job {JobId} has no checkpoint {sequence}.");
        return await RestoreDistributed(checkpoint, null, reason, pool);
    }

    /// <param name="pool">The pool to restore the ranks in; the job's own when null.</param>
    /// <param name="incident">The incident the restore belongs to (a stall's); a new one when null.</param>
    private async Task<Guid> RestoreDistributed(CheckpointInfo checkpoint, string? onNode, string reason, string? pool = null, Guid? incident = null)
    {
        if (onNode is not null)
            throw new OperationRejectedException(RejectionKind.Invalid, $"Job {JobId} is distributed: its ranks are restored on a set of nodes the platform chooses, not on one node.");
        if (checkpoint.Ranks.Count == 0)
            throw new OperationRejectedException(RejectionKind.Conflict, $"Checkpoint {checkpoint.Sequence} of job {JobId} holds no ranks.");
        if (State.Status is JobStatus.Running)
            throw new OperationRejectedException(RejectionKind.Conflict, $"Job {JobId} still runs: stop it (a checkpoint that stops it, or a kill) before its ranks are restored.");
        // Restored elsewhere when enough other nodes fit (the nodes it ran on may be why it needs restoring), else anywhere.
        var directory = GrainFactory.GetGrain<INodeDirectoryGrain>(0);
        var spec = pool is null ? State.Spec! : State.Spec! with { Pool = pool };
        var taken = checkpoint.Ranks.Select(r => r.NodeId).Distinct().ToArray();
        var placement = await directory.ChooseRanks(spec, checkpoint.Ranks.Count, taken);
        if (placement.NodeIds is null)
            placement = await directory.ChooseRanks(spec, checkpoint.Ranks.Count, State.LostOnNode is { } lost ? [lost] : []);
        if (placement.NodeIds is not { } nodes)
            throw new OperationRejectedException(RejectionKind.Conflict, $"Job {JobId} cannot be restored now: {placement.Problem}.");
        var from = checkpoint.Ranks.OrderBy(r => r.Rank).Select(r => new RankAssignment(r.Rank, r.NodeId, r.Address)).ToArray();
        var to = from.Select(r => r with { NodeId = nodes[r.Rank] }).ToArray();
        var id = incident ?? Guid.NewGuid();
        RaiseEvent(new RestoreRequested(JobId, id, checkpoint.Sequence, $"{reason} (ranks on {string.Join(", ", nodes)})", time.GetUtcNow()));
        await ConfirmEvents();
        await SendRanksWork(new RestoreRanks(JobId, id, checkpoint.Sequence, from, to));
        KeepWatching();
        return id;
    }

    public async Task RecordRanksRestored(Guid incidentId, int sequence, IReadOnlyList<RankAssignment> ranks, string? failure)
    {
        if (!IsKnown("coordinated restore report") || State.RestoringIncident != incidentId)
            return;
        var now = time.GetUtcNow();
        if (failure is not null)
            RaiseEvent(new RestoreFailed(JobId, incidentId, sequence, failure, now));
        else
        {
            RaiseEvent(new JobRestored(JobId, incidentId, sequence, ranks.Single(r => r.Rank == 0).NodeId, 0, now));
            RaiseEvent(new RanksRestored(JobId, incidentId, sequence, ranks, now));
        }
        await ConfirmEvents();
        KeepWatching();
    }

    public async Task RecordRanksStopped(string? failure)
    {
        if (!IsKnown("rank stop report") || !State.KillRequested || State.Status is not (JobStatus.Running or JobStatus.Restoring))
            return;
        var restore = State.RestoreAfterStop;
        var why = restore is null ? "killed on request" : $"stopped to restore checkpoint {restore.Sequence} ({restore.Reason})";
        RaiseEvent(new JobExited(JobId, null, null, failure is null ? why : $"{why}; {failure}", time.GetUtcNow()));
        await ConfirmEvents();
        if (restore is not null)
            await RestoreAfterStop(restore, failure);
        await ReleaseAddresses();
        KeepWatching();
    }

    /// <summary>
    /// The ranks of a stalled job were stopped for its policy's restore: the planned checkpoint is restored now, on the
    /// nodes the platform chooses. When the ranks could not all be stopped (a copy may still run) or the ranks cannot be
    /// placed, the restore is dropped with the reason, and the job stays stopped for an operator to restore.
    /// </summary>
    private async Task RestoreAfterStop(DistributedRestorePlanned restore, string? stopFailure)
    {
        var checkpoint = State.FindCheckpoint(restore.Sequence);
        var problem = stopFailure is not null ? $"not every rank could be stopped ({stopFailure})"
            : checkpoint is null ? $"checkpoint {restore.Sequence} is gone" : null;
        if (problem is null)
        {
            try
            {
                await RestoreDistributed(checkpoint!, null, restore.Reason, incident: restore.IncidentId);
                logger.LogWarning("Job {JobId}: its ranks stopped, checkpoint {Sequence} is being restored for incident {Incident}", JobId, restore.Sequence, restore.IncidentId);
                return;
            }
            catch (OperationRejectedException e)
            {
                problem = e.Message;
            }
        }
        var now = time.GetUtcNow();
        RaiseEvent(new RecoveryPolicyApplied(JobId, restore.IncidentId, restore.Decision with
        {
            Action = RecoveryAction.None, Attempt = 0, Targets = null, At = now, NotBefore = now,
            Reason = $"{restore.Decision.Reason}; dropped after the ranks were stopped: {problem}",
        }, now));
        await ConfirmEvents();
        logger.LogWarning("Job {JobId}: the restore of checkpoint {Sequence} for incident {Incident} is dropped: {Problem}", JobId, restore.Sequence, restore.IncidentId, problem);
    }

    /// <summary>
    /// A rank ended: recorded for that rank; the first failure fails the whole job (its peers would wait for it for
    /// ever, so they are stopped), and the last clean exit completes it.
    /// </summary>
    public async Task RecordRankExited(RankProcessExited report)
    {
        if (!IsKnown("rank exit report") || State.Ranks.Find(r => r.Rank == report.Rank) is not { } rank)
            return;
        // A rank ended by the platform (a kill, a checkpoint that stops the job) did not fail.
        if (rank.NodeId != report.NodeId || rank.State != RankState.Running || State.Status != JobStatus.Running || State.KillRequested
            || (State.PendingCheckpoint is not null && !State.PendingCheckpointLeavesRunning))
        {
            logger.LogInformation("Ignored the exit of rank {Rank} of job {JobId} on {NodeId}: the rank is {State} on {RankNode}, the job {Status}",
                report.Rank, JobId, report.NodeId, rank.State, rank.NodeId, State.Status);
            return;
        }
        RaiseEvent(new RankExited(JobId, report.Rank, report.NodeId, report.ExitCode, report.Signal, report.At));
        var failed = report.ExitCode != 0 || report.Signal is not null;
        var allDone = !failed && State.Ranks.All(r => r.Rank == report.Rank || r.State == RankState.Exited);
        if (failed)
            RaiseEvent(new JobExited(JobId, report.ExitCode, report.Signal, $"rank {report.Rank} on {report.NodeId}: {ExitDescription.Of(report.ExitCode, report.Signal, null)}", report.At));
        else if (allDone)
            RaiseEvent(new JobExited(JobId, 0, null, $"every rank exited 0", report.At));
        await ConfirmEvents();
        if (failed)
            await SendRanksWork(new StopRanks(JobId, [.. State.Ranks.Where(r => r.State == RankState.Stopped).Select(r => new RankAssignment(r.Rank, r.NodeId, r.Address))],
                $"rank {report.Rank} failed"));
        if (failed || allDone)
            await ReleaseAddresses();
        KeepWatching();
    }

    /// <summary>Placement while queued; a stall of any rank (starvation and swap do not apply to distributed jobs); the periodic checkpoint.</summary>
    private async Task WatchDistributed()
    {
        if (State.Status == JobStatus.Queued && State.Ranks.Count == 0)
            await TryPlaceRanks();
        else if (_stalls.ShouldRaise(State, _rankActivity))
            await RaiseRankStall();
        else if (State.Status == JobStatus.Stopped && State.RestoreAfterStop is { } restore)
            // The host died between the ranks' stop and the restore's request: carried on now.
            await RestoreAfterStop(restore, stopFailure: null);
        await GiveUpStuckCoordinatedCheckpoint();
        await CheckpointPeriodically();
    }

    public async Task RecordRankSamples(string nodeId, IReadOnlyList<RankSample> samples, DateTimeOffset at)
    {
        if (!IsKnown("rank samples") || !State.IsDistributed || State.Status != JobStatus.Running)
            return;
        var changed = false;
        foreach (var sample in samples)
        {
            if (ReportValidator.ProblemWith(sample?.Sample, JobId) is { } problem)
            {
                logger.LogWarning("Dropped a rank sample for job {JobId} from node {NodeId}: {Problem}", JobId, nodeId, problem);
                continue;
            }
            // Only a rank running on the node that reports it: a copy elsewhere (an old node after a restore) says nothing of the job.
            if (State.Ranks.Find(r => r.Rank == sample!.Rank) is not { State: RankState.Running } rank || rank.NodeId != nodeId)
                continue;
            if (_rankActivity.Observe(State, rank, nodeId, sample!, at) is { } recorded)
            {
                RaiseEvent(recorded);
                changed = true;
            }
        }
        if (changed)
            await ConfirmEvents();
    }

    /// <summary>
    /// A rank showed no activity for the job's stall threshold (or its process is stopped): the whole job is stalled, its
    /// peers wait for that rank, and the stall names the ranks and their nodes. The policy is asked as for any stall. When
    /// it restores (or moves) the job and a coordinated checkpoint exists, every rank is stopped and that checkpoint is
    /// restored once they are (<see cref="RecordRanksStopped"/>): the grain carries this out itself, since the recovery
    /// saga restores single processes. A decision that would wait out a backoff, or one taken while a checkpoint is under
    /// way, is recorded as not carried out, and the stall alerts only (docs/capture.md).
    /// </summary>
    private async Task RaiseRankStall()
    {
        var now = time.GetUtcNow();
        var ranks = _stalls.StalledRanks(State, _rankActivity);
        if (ranks.Count == 0)
            return;
        var since = ranks.Min(r => r.LastActivityAt);
        var spec = State.Spec!;
        var incident = Guid.NewGuid();
        var decision = await Decide(PolicyTrigger.Stall, now);
        var checkpoint = State.NewestCheckpoint;
        var notCarriedOut = !decision.Acts ? null
            : decision.NotBefore > now ? "a distributed job's restore does not wait out a backoff"
            : State.PendingCheckpoint is not null ? $"checkpoint {State.PendingCheckpoint} is under way"
            : checkpoint is not { Ranks.Count: > 0 } ? "the job has no coordinated checkpoint"
            : null;
        if (notCarriedOut is not null)
            decision = decision with
            {
                Action = RecoveryAction.None, Attempt = 0, Targets = null, NotBefore = now,
                Reason = $"{decision.Reason}; not carried out: {notCarriedOut} (kill it and restore a coordinated checkpoint, or SIGCONT a stopped rank)",
            };
        RaiseEvent(new JobStalled(JobId, incident, since, spec.StallThreshold, now, ranks));
        RaiseEvent(new RecoveryPolicyApplied(JobId, incident, decision, now));
        if (decision.Acts)
        {
            var reason = $"rank {string.Join(", ", ranks.Select(r => $"{r.Rank} on {r.NodeId}"))} stalled";
            RaiseEvent(new DistributedRestorePlanned(JobId, incident, checkpoint!.Sequence, decision, reason, now));
        }
        await ConfirmEvents();
        MonitoringMetrics.DetectionLatency.Record(Math.Max(0, (now - (since + spec.StallThreshold)).TotalSeconds), new KeyValuePair<string, object?>("detector", "stall"));
        logger.LogWarning("Job {JobId} stalled: {Reason}; policy: {Decision}", JobId, State.StatusReason, decision.Reason);
        if (decision.Acts)
            await SendRanksWork(new StopRanks(JobId, RankAssignments(), $"stalled; checkpoint {checkpoint!.Sequence} is restored once every rank is stopped"));
        else
            // Recovery records the incident as alert only; an acted-on stall is the grain's to restore, not the saga's.
            await bus.Publish(new JobStallDetected(incident, JobId, ranks[0].NodeId, StallAction.AlertOnly,
                checkpoint?.Sequence, checkpoint?.NodeId, checkpoint?.Progress, since, now));
        KeepWatching();
    }

    /// <summary>The node of a rank was lost: the whole job is lost (its peers wait for that rank); a checkpoint can bring it back elsewhere.</summary>
    private async Task LoseRankOn(string nodeId, DateTimeOffset lostAt)
    {
        if (State.Status != JobStatus.Running || State.Ranks.Find(r => r.NodeId == nodeId && r.State == RankState.Running) is not { } rank)
            return;
        RaiseEvent(new RankNodeLost(JobId, rank.Rank, nodeId, lostAt, time.GetUtcNow()));
        await ConfirmEvents();
        logger.LogWarning("Job {JobId} is lost: rank {Rank} was on node {NodeId}", JobId, rank.Rank, nodeId);
        KeepWatching();
    }

    /// <summary>A job that completed, or ended without a checkpoint, needs no addresses any more; one with checkpoints keeps them (its ranks come back at them).</summary>
    private async Task ReleaseAddresses()
    {
        if (State.Status == JobStatus.Completed || State.Checkpoints.Count == 0)
            await Fabric.Release(JobId);
    }
}
