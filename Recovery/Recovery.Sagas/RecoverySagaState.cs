using Caas.Contracts.Views;
using MassTransit;

namespace Caas.Recovery.Sagas;

/// <summary>
/// One incident's recovery, persisted as JSON. Finished incidents are kept (state Recovered,
/// Failed or NotAttempted) so that the portal can show them and a late duplicate of the
/// message that opened the incident cannot start it again.
/// </summary>
public sealed class RecoverySagaState : SagaStateMachineInstance, ISagaVersion
{
    /// <summary>The incident id.</summary>
    public Guid CorrelationId { get; set; }
    public int Version { get; set; }
    public string CurrentState { get; set; } = "";

    public string JobId { get; set; } = "";
    /// <summary>Why recovery started, for people.</summary>
    public string Reason { get; set; } = "";
    /// <summary>Checkpoint restored from; null when there was none.</summary>
    public int? Sequence { get; set; }
    /// <summary>Node the job is restored on.</summary>
    public string? NodeId { get; set; }
    /// <summary>Node holding the checkpoint image.</summary>
    public string? CheckpointNodeId { get; set; }
    public double? CheckpointProgress { get; set; }

    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? RestoreRequestedAt { get; set; }
    public DateTimeOffset? RestoredAt { get; set; }
    public int? RestoredPid { get; set; }
    public DateTimeOffset? VerifiedAt { get; set; }
    public double? ResumedProgress { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public bool? Succeeded { get; set; }
    public string? Outcome { get; set; }

    /// <summary>When an unanswered restore times out: the time its durable timeout is scheduled for, on the saga's clock.</summary>
    public DateTimeOffset? RestoreDeadline { get; set; }
    /// <summary>When an unverified restore times out: the time its durable timeout is scheduled for, on the saga's clock.</summary>
    public DateTimeOffset? VerifyDeadline { get; set; }
    public Guid? RestoreTimeoutTokenId { get; set; }
    public Guid? VerifyTimeoutTokenId { get; set; }
    /// <summary>When the current placement attempt is given up on (or, after "no node fits", when placement is asked again).</summary>
    public DateTimeOffset? PlacementDeadline { get; set; }
    public Guid? PlacementTimeoutTokenId { get; set; }
    /// <summary>When an image still on its way to the target times out.</summary>
    public DateTimeOffset? TransferDeadline { get; set; }
    public Guid? TransferTimeoutTokenId { get; set; }

    /// <summary>Nodes the job must not come back on: the lost one. Empty when the job is restored where it ran.</summary>
    public List<string> ExcludedNodes { get; set; } = [];
    /// <summary>Where the job's policy lets recovery put it (pools allowed and preferred); null when no policy shaped the incident.</summary>
    public Caas.Contracts.Policies.RecoveryTargets? Targets { get; set; }
    /// <summary>The current placement attempt, from 1; answers to older attempts are ignored.</summary>
    public int PlacementAttempt { get; set; }
    /// <summary>Why the last placement attempt found no node.</summary>
    public string? PlacementProblem { get; set; }
    /// <summary>The image must be moved from <see cref="CheckpointNodeId"/> to <see cref="NodeId"/> before the restore.</summary>
    public bool NeedsTransfer => NodeId is not null && CheckpointNodeId is not null && NodeId != CheckpointNodeId;

    public List<RecoveryStep> Steps { get; set; } = [];

    /// <summary>Older checkpoints still to try if the agent refuses the current one, newest first.</summary>
    public List<int> Fallbacks { get; set; } = [];
    /// <summary>Checkpoints the agent refused in this incident, with its reasons, for the outcome.</summary>
    public List<string> Refusals { get; set; } = [];
    /// <summary>The fencing epoch the job grain gave this restore; every RestoreJob of the incident carries it.</summary>
    public long Epoch { get; set; }

    public void Open(string jobId, string reason, DateTimeOffset at)
    {
        JobId = jobId;
        Reason = reason;
        StartedAt = at;
        Steps.Add(new RecoveryStep(at, "opened", reason));
    }

    /// <summary>How the checkpoint to restore was chosen (taken at the incident, or an older one because that failed).</summary>
    public void RecordCheckpoint(string note, DateTimeOffset at) => Steps.Add(new RecoveryStep(at, "checkpoint", note));

    /// <summary>The job comes back elsewhere: recovery first asks where.</summary>
    public void RecordPlacementRequested(int sequence, string checkpointNodeId, double? checkpointProgress, IEnumerable<string> excluded, DateTimeOffset at, DateTimeOffset deadline)
    {
        Sequence = sequence;
        CheckpointNodeId = checkpointNodeId;
        CheckpointProgress = checkpointProgress;
        ExcludedNodes = [.. excluded];
        NextPlacementAttempt(at, deadline);
    }

    public void NextPlacementAttempt(DateTimeOffset at, DateTimeOffset deadline)
    {
        PlacementAttempt++;
        PlacementDeadline = deadline;
        Steps.Add(new RecoveryStep(at, "placing", $"attempt {PlacementAttempt}: a node other than {string.Join(", ", ExcludedNodes)} for checkpoint {Sequence} (held by {CheckpointNodeId})"));
    }

    /// <summary>No node fits now: ask again at <paramref name="retryAt"/>.</summary>
    public void RecordNoPlacement(string problem, DateTimeOffset at, DateTimeOffset retryAt)
    {
        PlacementProblem = problem;
        PlacementDeadline = retryAt;
        Steps.Add(new RecoveryStep(at, "no node", $"attempt {PlacementAttempt}: {problem}"));
    }

    public void RecordPlaced(string nodeId, DateTimeOffset at)
    {
        NodeId = nodeId;
        PlacementDeadline = null;
        PlacementProblem = null;
        Steps.Add(new RecoveryStep(at, "placed", $"on {nodeId}"));
    }

    public void RecordTransferRequested(DateTimeOffset at, DateTimeOffset deadline)
    {
        TransferDeadline = deadline;
        Steps.Add(new RecoveryStep(at, "transfer requested", $"checkpoint {Sequence} from {CheckpointNodeId} to {NodeId}"));
    }

    public void RecordTransferred(long bytes, TimeSpan duration, DateTimeOffset at)
    {
        TransferDeadline = null;
        Steps.Add(new RecoveryStep(at, "transferred", $"checkpoint {Sequence} on {NodeId}: {bytes} bytes in {duration.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s"));
    }

    public void RecordRestoreRequested(int sequence, string nodeId, string checkpointNodeId, double? checkpointProgress, DateTimeOffset at, DateTimeOffset deadline)
    {
        RestoreDeadline = deadline;
        Sequence = sequence;
        NodeId = nodeId;
        CheckpointNodeId = checkpointNodeId;
        CheckpointProgress = checkpointProgress;
        RestoreRequestedAt = at;
        Steps.Add(new RecoveryStep(at, "restore requested", $"checkpoint {sequence} (held by {checkpointNodeId}) onto {nodeId}"));
    }

    /// <summary>
    /// The agent refused checkpoint <see cref="Sequence"/>, or (<paramref name="unverified"/>) its restored copy never
    /// showed the progress the checkpoint had: go on with the next older one under the same incident.
    /// </summary>
    public void RecordFallback(string refusal, DateTimeOffset at, DateTimeOffset deadline, bool unverified = false)
    {
        var refused = Sequence;
        var what = unverified ? "did not verify" : "was refused";
        Refusals.Add($"checkpoint {refused} {what}: {refusal}");
        Sequence = Fallbacks[0];
        Fallbacks.RemoveAt(0);
        CheckpointProgress = null;
        VerifyDeadline = null;
        if (NeedsTransfer)
        {
            // The older image lies where the refused one came from: it must travel to the target first.
            RestoreDeadline = null;
            TransferDeadline = deadline;
            Steps.Add(new RecoveryStep(at, "fell back", $"checkpoint {refused} {what} ({refusal}); moving checkpoint {Sequence} from {CheckpointNodeId} to {NodeId} instead"));
            return;
        }
        RestoreDeadline = deadline;
        RestoreRequestedAt = at;
        Steps.Add(new RecoveryStep(at, "fell back", $"checkpoint {refused} {what} ({refusal}); restoring checkpoint {Sequence} instead"));
    }

    public void RecordRestored(int pid, DateTimeOffset at, DateTimeOffset verifyDeadline)
    {
        VerifyDeadline = verifyDeadline;
        RestoredPid = pid;
        RestoredAt = at;
        Steps.Add(new RecoveryStep(at, "restored", $"running again as pid {pid}"));
    }

    public void RecordVerified(double? progress, DateTimeOffset at)
    {
        ResumedProgress = progress;
        VerifiedAt = at;
        Steps.Add(new RecoveryStep(at, "verified", progress is null ? "job heartbeats again" : $"progress {RecoveryOutcomes.Percent(progress.Value)}"));
    }

    public void Close(bool succeeded, string outcome, DateTimeOffset at)
    {
        RestoreDeadline = null;
        VerifyDeadline = null;
        PlacementDeadline = null;
        TransferDeadline = null;
        Succeeded = succeeded;
        Outcome = outcome;
        EndedAt = at;
        Steps.Add(new RecoveryStep(at, succeeded ? "recovered" : "ended", outcome));
    }

    /// <summary>The incident as the portal and the API show it.</summary>
    public RecoveryIncident ToIncident() => new()
    {
        IncidentId = CorrelationId,
        JobId = JobId,
        State = CurrentState,
        Reason = Reason,
        Sequence = Sequence,
        NodeId = NodeId,
        StartedAt = StartedAt,
        RestoredAt = RestoredAt,
        RestoredPid = RestoredPid,
        VerifiedAt = VerifiedAt,
        ResumedProgress = ResumedProgress,
        EndedAt = EndedAt,
        Succeeded = Succeeded,
        Outcome = Outcome,
        Steps = Steps.ToList(),
        CheckpointNodeId = CheckpointNodeId,
    };
}
