using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;
using Caas.Contracts.Views;
using Caas.Monitoring.Grains.Policies;
using Caas.Monitoring.Grains.Starvation;
using System.Text.Json.Serialization;

namespace Caas.Monitoring.Grains;

/// <summary>
/// A job folded from its stream. Only the Apply methods change it, and they never refuse an event:
/// whatever is in the stream happened; the grain decides before it records.
/// </summary>
[GenerateSerializer]
public sealed class JobState
{
    [Id(0)] public string JobId { get; set; } = "";
    /// <summary>Null until the job is submitted.</summary>
    [Id(1)] public JobSpec? Spec { get; set; }
    [Id(2)] public JobStatus Status { get; set; }
    [Id(3)] public string? StatusReason { get; set; }
    [Id(4)] public string? NodeId { get; set; }
    [Id(5)] public int? Pid { get; set; }
    [Id(6)] public double? Progress { get; set; }
    [Id(7)] public string? ProgressMessage { get; set; }
    [Id(8)] public double CpuSeconds { get; set; }
    [Id(9)] public long RssBytes { get; set; }
    [Id(10)] public DateTimeOffset SubmittedAt { get; set; }
    [Id(11)] public DateTimeOffset? LastHeartbeatAt { get; set; }
    [Id(12)] public DateTimeOffset? LastProgressAt { get; set; }
    /// <summary>When the job last showed it is alive and moving: start, restore, progress, or CPU growth of a job that never reports progress.</summary>
    [Id(13)] public DateTimeOffset? LastActivityAt { get; set; }
    [Id(14)] public List<CheckpointInfo> Checkpoints { get; set; } = [];
    [Id(15)] public int? PendingCheckpoint { get; set; }
    [Id(16)] public bool PendingCheckpointLeavesRunning { get; set; }
    [Id(17)] public bool KillRequested { get; set; }
    [Id(18)] public int? ExitCode { get; set; }
    [Id(19)] public int? ExitSignal { get; set; }
    /// <summary>The open stall episode's incident, null when the job is not stalled.</summary>
    [Id(20)] public Guid? StallIncident { get; set; }
    [Id(21)] public Guid? RestoringIncident { get; set; }
    [Id(22)] public int? RestoringSequence { get; set; }
    /// <summary>A restore whose first heartbeat at the checkpoint's progress has not been seen yet.</summary>
    [Id(23)] public Guid? UnverifiedRestore { get; set; }
    [Id(24)] public double? UnverifiedRestoreProgress { get; set; }
    [Id(25)] public Guid? LastRestoredIncident { get; set; }
    /// <summary>The checkpoint of that restore: an incident restores again, from an older one, when a restored copy never verified.</summary>
    [Id(270)] public int? LastRestoredSequence { get; set; }
    /// <summary>A stalled distributed job's restore, waiting for its ranks to be stopped; cleared when it is requested or dropped.</summary>
    [Id(271)] public DistributedRestorePlanned? RestoreAfterStop { get; set; }
    [Id(26)] public Guid? LastFinishedRecovery { get; set; }
    /// <summary>Number of events applied: the stream's length.</summary>
    [Id(27)] public long Version { get; set; }
    [Id(28)] public int HighestCheckpointSequence { get; set; }
    [Id(29)] public DateTimeOffset? PendingCheckpointSince { get; set; }
    /// <summary>I/O byte counters of the job's tree as last sampled: growing I/O is progress for a job that reports none.</summary>
    [Id(30)] public long ReadBytes { get; set; }
    [Id(31)] public long WriteBytes { get; set; }
    /// <summary>Kernel state letter of the root process in the last sample (T: stopped), null before the first heartbeat.</summary>
    [Id(32)] public string? ProcessState { get; set; }
    /// <summary>The job's recent pace and learned baseline, for the starvation detector.</summary>
    [Id(33)] public JobPace Pace { get; set; } = new();
    /// <summary>The open starvation episode's incident, null when the job is not starved.</summary>
    [Id(34)] public Guid? StarvationIncident { get; set; }
    /// <summary>Checkpoints whose last test restore came to life; the newest of them is never deleted.</summary>
    [Id(35)] public List<int> VerifiedCheckpoints { get; set; } = [];
    /// <summary>What the job's recovery policy has done to it so far (attempts, failure restarts).</summary>
    [Id(50)] public PolicyHistory PolicyHistory { get; set; } = new();
    /// <summary>A recovery the policy decided on that waits out its backoff (due at its NotBefore), with its incident.</summary>
    [Id(51)] public PolicyDecision? PendingRecovery { get; set; }
    [Id(52)] public Guid? PendingRecoveryIncident { get; set; }
    /// <summary>When the current process of the job started or was restored; periodic checkpoints count from it.</summary>
    [Id(53)] public DateTimeOffset? RunningSince { get; set; }
    /// <summary>The last stop came from a checkpoint that stopped the job; a kill or an exit clears it.</summary>
    [Id(80)] public bool StoppedByCheckpoint { get; set; }
    /// <summary>Other nodes holding a verified copy of a checkpoint, by sequence (replicas, images moved for restores).</summary>
    [Id(60)] public Dictionary<int, List<string>> CheckpointCopies { get; set; } = [];
    /// <summary>The node declared lost while the job ran there, until the job runs again: any copy it still runs is stale and is killed on sight.</summary>
    [Id(61)] public string? LostOnNode { get; set; }
    /// <summary>The newest transfers recorded, so a redelivered report is not counted twice.</summary>
    [Id(36)] public List<Guid> MovedTransfers { get; set; } = [];
    /// <summary>
    /// Fencing: how many placements (launches and restores) the job has had. Each one's commands carry it and the agent
    /// reports it in every sample, so a copy started under an older placement is told apart and killed, wherever it runs.
    /// </summary>
    [Id(140)] public long Epoch { get; set; }
    /// <summary>A swap-out under way: the stop-mode checkpoint that ends it, and the job that takes the slot.</summary>
    [Id(150)] public int? SwapOutSequence { get; set; }
    [Id(151)] public string? SwapOutFor { get; set; }
    [Id(152)] public string? SwapOutReason { get; set; }
    /// <summary>Stopped by a swap-out and waiting for a free slot, since SwappedOutAt.</summary>
    [Id(153)] public bool SwappedOut { get; set; }
    [Id(154)] public DateTimeOffset? SwappedOutAt { get; set; }
    /// <summary>The restore that swapped the job in; once it runs, <see cref="SwappedInAt"/> starts the swap-out cooldown.</summary>
    [Id(155)] public Guid? SwapInIncident { get; set; }
    [Id(156)] public DateTimeOffset? SwappedInAt { get; set; }

    /// <summary>A distributed job's ranks, index = rank (docs/capture.md, "Distributed jobs"); empty for an ordinary job.</summary>
    [Id(180)] public List<RankView> Ranks { get; set; } = [];
    /// <summary>The ranks a distributed job's open stall named; the stall ends when each of them moved again.</summary>
    [Id(240)] public List<int> StalledRanks { get; set; } = [];

    [JsonIgnore] public bool IsSubmitted => Spec is not null;
    [JsonIgnore] public bool IsDistributed => Spec?.Ranks is not null;
    /// <summary>A policy's move of the live job waits for this stop-mode checkpoint (taken at the incident) before its restore is requested.</summary>
    [Id(210)] public RecoveryCheckpointRequested? RecoveryCheckpoint { get; set; }
    /// <summary>What recovery was asked for by the current restore, to publish again if its host died before it could.</summary>
    [Id(211)] public Caas.Contracts.Bus.RecoveryRequested? RestoringRequest { get; set; }

    /// <summary>Restored, but its recovery (or swap-in) has neither seen it progress nor ended: it is not to be swapped out meanwhile.</summary>
    [JsonIgnore] public bool IsMidRestore => UnverifiedRestore is { } incident && LastFinishedRecovery != incident;
    [JsonIgnore] public bool IsStalled => StallIncident is not null;
    /// <summary>Stopped by its own stop-mode checkpoint (suspended to storage), not by a kill or an exit.</summary>
    [JsonIgnore] public bool IsSuspended => Status == JobStatus.Stopped && StoppedByCheckpoint && !SwappedOut;
    [JsonIgnore] public bool IsStarved => StarvationIncident is not null;
    /// <summary>The root process was stopped (SIGSTOP, SIGTSTP, a tracer) when last sampled.</summary>
    [JsonIgnore] public bool IsProcessStopped => ProcessState is "T" or "t";
    /// <summary>Sequences are never reused, not even those of failed checkpoints, so an image directory always means one attempt.</summary>
    [JsonIgnore] public int NextCheckpointSequence => HighestCheckpointSequence + 1;
    [JsonIgnore] public string Project => Spec?.Project ?? JobProjects.Default;
    [JsonIgnore] public string Name => Spec is null ? JobId : Spec.Name ?? Path.GetFileName(Spec.Command);
    [JsonIgnore] public CheckpointInfo? NewestCheckpoint => Checkpoints.Count == 0 ? null : Checkpoints.MaxBy(c => c.Sequence);
    /// <summary>
    /// What a restore from <paramref name="sequence"/> falls back on when the agent refuses its image: the older
    /// checkpoints on the same node, newest first. Recovery is handed this list; replaying a refusal uses the same rule.
    /// </summary>
    public IReadOnlyList<int> FallbacksFor(int sequence) =>
        FindCheckpoint(sequence) is { } refused
            ? Checkpoints.Where(c => c.Sequence < sequence && c.NodeId == refused.NodeId).Select(c => c.Sequence).OrderDescending().ToArray()
            : [];

    public CheckpointInfo? FindCheckpoint(int sequence) => Checkpoints.Find(c => c.Sequence == sequence);

    /// <summary>Every node known to hold checkpoint <paramref name="sequence"/>: the one that took it, then its copies.</summary>
    public IReadOnlyList<string> HoldersOf(int sequence) =>
        FindCheckpoint(sequence) is not { } checkpoint ? []
            : [checkpoint.NodeId, .. CheckpointCopies.GetValueOrDefault(sequence, []).Where(n => n != checkpoint.NodeId)];

    /// <summary>The checkpoints older than <paramref name="sequence"/> that <paramref name="holder"/> has, newest first.</summary>
    public IReadOnlyList<int> FallbacksHeldBy(string holder, int sequence) =>
        Checkpoints.Where(c => c.Sequence < sequence && HoldersOf(c.Sequence).Contains(holder)).Select(c => c.Sequence).OrderDescending().ToArray();

    /// <summary>
    /// What recovery restores when <paramref name="lostNodeId"/> is gone: the newest checkpoint with a copy on another
    /// node, that node, and the older checkpoints that node also holds (newest first) to fall back on.
    /// </summary>
    public (CheckpointInfo Checkpoint, string Holder, IReadOnlyList<int> Fallbacks)? NewestCheckpointOffNode(string lostNodeId)
    {
        foreach (var checkpoint in Checkpoints.OrderByDescending(c => c.Sequence))
        {
            if (HoldersOf(checkpoint.Sequence).FirstOrDefault(n => n != lostNodeId) is not { } holder)
                continue;
            return (checkpoint, holder, FallbacksHeldBy(holder, checkpoint.Sequence));
        }
        return null;
    }

    /// <summary>The newest checkpoint that still exists and whose test restore came to life, if any.</summary>
    [JsonIgnore] public int? NewestVerifiedCheckpoint =>
        VerifiedCheckpoints.Where(s => FindCheckpoint(s) is not null).Select(s => (int?)s).Max();

    public void Apply(IJobEvent jobEvent)
    {
        switch (jobEvent)
        {
            case JobSubmitted e: Apply(e); break;
            case JobPlaced e: Apply(e); break;
            case JobStarted e: Apply(e); break;
            case JobStartFailed e: Apply(e); break;
            case HeartbeatRecorded e: Apply(e); break;
            case ProgressReported e: Apply(e); break;
            case CheckpointRequested e: Apply(e); break;
            case CheckpointTaken e: Apply(e); break;
            case CheckpointFailed e: Apply(e); break;
            case KillRequested e: Apply(e); break;
            case JobExited e: Apply(e); break;
            case JobStalled e: Apply(e); break;
            case RestoreRequested e: Apply(e); break;
            case JobRestored e: Apply(e); break;
            case RestoreFailed e: Apply(e); break;
            case RecoveryFinished e: Apply(e); break;
            case JobStarved e: Apply(e); break;
            case JobStarvationEnded e: Apply(e); break;
            case CheckpointVerificationRequested: break;
            case CheckpointVerified e: Apply(e); break;
            case CheckpointVerificationFailed e: Apply(e); break;
            case CheckpointDeleted e: Apply(e); break;
            case RecoveryPolicyApplied e: Apply(e); break;
            // A fact for the record and for policies; the restore the policy may start changes the status.
            case JobNodeLost: break;
            case RecoveryPolicySet e: Spec = Spec is null ? null : Spec with { Policy = e.Policy }; break;
            case CheckpointCopied e: Apply(e); break;
            case NodeLostWithJob e: Apply(e); break;
            case NodeReturnedWithJob e: Apply(e); break;
            case CheckpointMoved e: Apply(e); break;
            case JobSwapOutRequested e: Apply(e); break;
            case RecoveryCheckpointRequested e: RecoveryCheckpoint = e; break;
            case DistributedRestorePlanned e: RestoreAfterStop = e; KillRequested = true; break;
            case JobSwappedIn e: Apply(e); break;
            case RanksPlaced e: Apply(e); break;
            case RanksRestored e: Apply(e); break;
            case RankExited e: Apply(e); break;
            case RankNodeLost e: Apply(e); break;
            case RankActivityRecorded e: Apply(e); break;
            default: throw new ArgumentException($"JobState has no transition for {jobEvent.GetType().Name}.", nameof(jobEvent));
        }
        Version++;
    }

    public void Apply(JobSubmitted e)
    {
        JobId = e.JobId;
        Spec = e.Spec;
        SubmittedAt = e.At;
        Status = JobStatus.Queued;
        StatusReason = $"waiting for a live node with a free slot in {(e.Spec.Pool is null ? "any pool" : $"pool '{e.Spec.Pool}'")}";
    }

    public void Apply(JobPlaced e)
    {
        Epoch++;
        NodeId = e.NodeId;
        StatusReason = $"launching on node {e.NodeId}";
    }

    public void Apply(JobStarted e)
    {
        RunsOn(e.NodeId, e.Pid, e.At);
        RunningSince = e.At;
        Pace.Restart();
        StarvationIncident = null;
        SetRanks(RankState.Placed, RankState.Running);
    }

    public void Apply(JobStartFailed e)
    {
        Status = JobStatus.Failed;
        StatusReason = $"could not start on node {e.NodeId}: {e.Reason}";
    }

    public void Apply(HeartbeatRecorded e)
    {
        // For a job that never reports progress, its own work is the only sign it is moving: CPU time or I/O bytes
        // growing. Counters that fall belong to a new process (a restore), which has shown nothing yet.
        if (Progress is null && e.Sample.Progress is null && ShowsWork(e.Sample))
        {
            LastActivityAt = e.At;
            StallIncident = null;
        }
        CpuSeconds = e.Sample.CpuSeconds;
        ReadBytes = e.Sample.ReadBytes;
        WriteBytes = e.Sample.WriteBytes;
        ProcessState = e.Sample.State;
        RssBytes = e.Sample.RssBytes;
        Pid = e.Sample.Pid;
        LastHeartbeatAt = e.At;
        RecordPace(e);
        if (UnverifiedRestore is not null && (UnverifiedRestoreProgress is null || e.Sample.Progress >= UnverifiedRestoreProgress))
        {
            UnverifiedRestore = null;
            UnverifiedRestoreProgress = null;
        }
    }

    /// <summary>Only a running job that reports progress has a pace; one whose spec turns starvation off keeps none.</summary>
    private void RecordPace(HeartbeatRecorded e)
    {
        if (Status != JobStatus.Running || Spec is not { StarvationWindow: var window } spec || window <= TimeSpan.Zero || e.Sample.Progress is not { } progress)
            return;
        var s = e.Sample;
        Pace.Record(new PacePoint(e.At, progress, s.CpuSeconds, s.CpuThrottledSeconds, s.MajorFaults, s.SwapBytes, s.IoWaitSeconds, s.State),
            window, spec.StarvationRatio, learn: !IsStarved && !IsStalled);
    }

    private bool ShowsWork(JobSample sample) =>
        sample.CpuSeconds > CpuSeconds || sample.ReadBytes > ReadBytes || sample.WriteBytes > WriteBytes;

    public void Apply(ProgressReported e)
    {
        if (Progress is null || e.Progress > Progress)
        {
            LastActivityAt = e.At;
            StallIncident = null;
        }
        Progress = e.Progress;
        ProgressMessage = e.Message;
        LastProgressAt = e.At;
    }

    public void Apply(CheckpointRequested e)
    {
        PendingCheckpoint = e.Sequence;
        PendingCheckpointLeavesRunning = e.LeaveRunning;
        PendingCheckpointSince = e.At;
        HighestCheckpointSequence = Math.Max(HighestCheckpointSequence, e.Sequence);
    }

    public void Apply(CheckpointTaken e)
    {
        Checkpoints.RemoveAll(c => c.Sequence == e.Checkpoint.Sequence);
        Checkpoints.Add(e.Checkpoint);
        HighestCheckpointSequence = Math.Max(HighestCheckpointSequence, e.Checkpoint.Sequence);
        if (PendingCheckpoint == e.Checkpoint.Sequence)
            PendingCheckpoint = null;
        if (!e.Checkpoint.LeaveRunning && Status == JobStatus.Running)
        {
            Status = JobStatus.Stopped;
            StoppedByCheckpoint = true;
            StatusReason = $"stopped after checkpoint {e.Checkpoint.Sequence}";
            Pid = null;
            ProcessState = null;
            StallIncident = null;
            StarvationIncident = null;
            SetRanks(RankState.Running, RankState.Stopped);
            if (SwapOutSequence == e.Checkpoint.Sequence)
            {
                SwappedOut = true;
                SwappedOutAt = e.At;
                StatusReason = $"swapped out to checkpoint {e.Checkpoint.Sequence}: {SwapOutReason}";
            }
        }
        if (SwapOutSequence == e.Checkpoint.Sequence)
            SwapOutSequence = null;
    }

    public void Apply(CheckpointFailed e)
    {
        if (PendingCheckpoint == e.Sequence)
            PendingCheckpoint = null;
        // The job keeps running and its slot: the job that wanted it waits for another.
        if (SwapOutSequence == e.Sequence)
        {
            SwapOutSequence = null;
            SwapOutFor = null;
            SwapOutReason = null;
        }
    }

    public void Apply(JobSwapOutRequested e)
    {
        SwapOutSequence = e.Sequence;
        SwapOutFor = e.ByJobId;
        SwapOutReason = e.Reason;
    }

    public void Apply(JobSwappedIn e)
    {
        SwappedOut = false;
        SwapInIncident = e.IncidentId;
    }

    /// <summary>Whatever moves the job out of the swapped-out state other than a swap-in (a kill, a user's restore) ends it too.</summary>
    private void LeaveSwappedOut()
    {
        SwappedOut = false;
        SwapOutFor = null;
        SwapOutReason = null;
        SwapOutSequence = null;
    }

    public void Apply(CheckpointVerified e)
    {
        if (!VerifiedCheckpoints.Contains(e.Sequence))
            VerifiedCheckpoints.Add(e.Sequence);
    }

    /// <summary>A later failure outweighs an earlier success: the bundle may have been damaged since.</summary>
    public void Apply(CheckpointVerificationFailed e) => VerifiedCheckpoints.Remove(e.Sequence);

    /// <summary>A deleted bundle cannot be restored, so it leaves the checkpoints restores and fallbacks choose from.</summary>
    public void Apply(CheckpointDeleted e)
    {
        Checkpoints.RemoveAll(c => c.Sequence == e.Sequence);
        VerifiedCheckpoints.Remove(e.Sequence);
        CheckpointCopies.Remove(e.Sequence);
    }

    public void Apply(CheckpointCopied e)
    {
        var holders = CheckpointCopies.TryGetValue(e.Sequence, out var known) ? known : CheckpointCopies[e.Sequence] = [];
        if (!holders.Contains(e.NodeId))
            holders.Add(e.NodeId);
    }

    /// <summary>
    /// The job's node went silent: the job is lost with it, unless recovery restores it elsewhere (RestoreRequested
    /// follows then). A node cut off is not necessarily dead, so a job nothing replaced may come back with its node.
    /// </summary>
    public void Apply(NodeLostWithJob e)
    {
        Status = JobStatus.Lost;
        StatusReason = $"node {e.NodeId} stopped heartbeating at {e.LostAt:u} and no checkpoint of the job is held on another node: "
            + "it goes on if the node comes back; otherwise restore it from a checkpoint or kill it";
        LostOnNode = e.NodeId;
        Pid = null;
        ProcessState = null;
        StallIncident = null;
        StarvationIncident = null;
        PendingCheckpoint = null;
        RecoveryCheckpoint = null;
        KillRequested = false;
    }

    public void Apply(CheckpointMoved e)
    {
        MovedTransfers.Add(e.TransferId);
        if (MovedTransfers.Count > MovedTransfersKept)
            MovedTransfers.RemoveAt(0);
    }

    private const int MovedTransfersKept = 32;

    public void Apply(KillRequested e)
    {
        KillRequested = true;
        if (SwappedOut && Status == JobStatus.Stopped)
        {
            // Nothing runs to be killed: the job stops waiting for a slot, and is no longer resumable as suspended.
            StatusReason = $"{e.Reason} while swapped out; its checkpoints are kept";
            StoppedByCheckpoint = false;
            KillRequested = false;
            LeaveSwappedOut();
            return;
        }
        // Nobody can reach a lost job to kill it, so it is stopped now; its copy is killed if its node comes back (fencing).
        if (Status == JobStatus.Lost)
        {
            Status = JobStatus.Stopped;
            StatusReason = $"{e.Reason} while its node {LostOnNode} was lost";
        }
    }

    /// <summary>Its node came back with it: the same process goes on, so its running time and pace carry on too.</summary>
    public void Apply(NodeReturnedWithJob e) => RunsOn(e.NodeId, e.Pid, e.At);

    /// <summary>What every way of (again) running somewhere has in common: a start, a restore, a return with its node.</summary>
    private void RunsOn(string nodeId, int pid, DateTimeOffset at)
    {
        LostOnNode = null;
        Status = JobStatus.Running;
        StatusReason = null;
        NodeId = nodeId;
        Pid = pid;
        LastActivityAt = at;
    }

    public void Apply(JobExited e)
    {
        ExitCode = e.ExitCode;
        ExitSignal = e.Signal;
        Pid = null;
        ProcessState = null;
        StallIncident = null;
        StarvationIncident = null;
        PendingCheckpoint = null;
        StoppedByCheckpoint = false;
        RecoveryCheckpoint = null;
        LeaveSwappedOut();
        if (KillRequested)
            Status = JobStatus.Stopped;
        else if (e.ExitCode == 0 && e.Signal is null)
            Status = JobStatus.Completed;
        else
            Status = JobStatus.Failed;
        StatusReason = Status == JobStatus.Completed ? null : e.Reason;
        KillRequested = false;
        // The ranks still running when the job ended were stopped by the platform (a kill, or a peer that failed).
        SetRanks(RankState.Running, RankState.Stopped);
        SetRanks(RankState.Placed, RankState.Stopped);
    }

    public void Apply(JobStalled e)
    {
        StallIncident = e.IncidentId;
        if (e.Ranks is not { Count: > 0 } ranks)
            return;
        StalledRanks = [.. ranks.Select(r => r.Rank)];
        StatusReason = $"stalled: no activity for {DurationText.Of(e.At - e.LastProgressAt)} (threshold {DurationText.Of(e.Threshold)}) from "
            + string.Join(", ", ranks.Select(r => r.Describe()));
    }

    public void Apply(JobStarved e) => StarvationIncident = e.IncidentId;

    public void Apply(JobStarvationEnded e)
    {
        if (StarvationIncident == e.IncidentId)
            StarvationIncident = null;
    }

    /// <summary>A decision that waits out a backoff stays pending until its restore starts or the policy drops it.</summary>
    public void Apply(RecoveryPolicyApplied e)
    {
        // A later decision on the same incident drops a planned restore (the ranks could not be stopped, or not placed).
        if (RestoreAfterStop?.IncidentId == e.IncidentId)
            RestoreAfterStop = null;
        PolicyHistory.Record(e.Decision);
        if (e.Decision.Acts && e.Decision.NotBefore > e.At)
        {
            PendingRecovery = e.Decision;
            PendingRecoveryIncident = e.IncidentId;
        }
        else if (PendingRecoveryIncident == e.IncidentId)
        {
            PendingRecovery = null;
            PendingRecoveryIncident = null;
        }
        if (RecoveryCheckpoint?.IncidentId == e.IncidentId)
            RecoveryCheckpoint = null;
    }

    public void Apply(RestoreRequested e)
    {
        RecoveryCheckpoint = null;
        RestoreAfterStop = null;
        RestoringRequest = e.Request;
        Epoch++;
        LeaveSwappedOut();
        PendingRecovery = null;
        PendingRecoveryIncident = null;
        Status = JobStatus.Restoring;
        StatusReason = $"restoring from checkpoint {e.Sequence}: {e.Reason}";
        RestoringIncident = e.IncidentId;
        RestoringSequence = e.Sequence;
    }

    public void Apply(JobRestored e)
    {
        RunsOn(e.NodeId, e.Pid, e.At);
        ProcessState = null;
        // The restored process continues from its image: work after the checkpoint is gone.
        var checkpoint = FindCheckpoint(e.Sequence);
        Progress = checkpoint?.Progress ?? Progress;
        RunningSince = e.At;
        StallIncident = null;
        StarvationIncident = null;
        Pace.Restart();
        KillRequested = false;
        ExitCode = null;
        ExitSignal = null;
        RestoringIncident = null;
        RestoringSequence = null;
        UnverifiedRestore = e.IncidentId;
        UnverifiedRestoreProgress = checkpoint?.Progress;
        LastRestoredIncident = e.IncidentId;
        LastRestoredSequence = e.Sequence;
        SwappedInAt = SwapInIncident == e.IncidentId ? e.At : null;
    }

    public void Apply(RestoreFailed e)
    {
        // A distributed job's restore is one coordinated attempt, with no recovery saga to go on with an older checkpoint.
        if (Status == JobStatus.Restoring && RestoringIncident == e.IncidentId && !IsDistributed && FallbacksFor(e.Sequence) is [var older, ..])
        {
            // Recovery goes on with the next older checkpoint under the same incident.
            StatusReason = $"restore from checkpoint {e.Sequence} failed: {e.Reason}; trying checkpoint {older}";
            RestoringSequence = older;
            return;
        }
        if (Status == JobStatus.Restoring)
        {
            Status = JobStatus.Failed;
            StatusReason = $"restore from checkpoint {e.Sequence} failed: {e.Reason}";
        }
        RestoringIncident = null;
        RestoringSequence = null;
    }

    public void Apply(RecoveryFinished e)
    {
        LastFinishedRecovery = e.IncidentId;
        if (!e.Succeeded && Status == JobStatus.Restoring)
        {
            Status = JobStatus.Failed;
            StatusReason = $"recovery failed: {e.Outcome}";
            RestoringIncident = null;
            RestoringSequence = null;
        }
    }

    public void Apply(RanksPlaced e)
    {
        Epoch++;
        Ranks = [.. e.Ranks.OrderBy(r => r.Rank).Select(r => new RankView(r.Rank, r.NodeId, r.Address, RankState.Placed))];
        NodeId = e.Ranks.Single(r => r.Rank == 0).NodeId;
        StatusReason = $"launching {e.Ranks.Count} ranks on {string.Join(", ", Ranks.Select(r => r.NodeId))}";
    }

    /// <summary>Follows the <see cref="JobRestored"/> of the same incident: the ranks run again, on the nodes named here.</summary>
    public void Apply(RanksRestored e)
    {
        Ranks = [.. e.Ranks.OrderBy(r => r.Rank).Select(r => new RankView(r.Rank, r.NodeId, r.Address, RankState.Running))];
        NodeId = e.Ranks.Single(r => r.Rank == 0).NodeId;
        // Ranks report no progress to verify against: the coordinated restore itself confirmed every rank came back.
        UnverifiedRestore = null;
        UnverifiedRestoreProgress = null;
    }

    public void Apply(RankExited e)
    {
        var index = Ranks.FindIndex(r => r.Rank == e.Rank);
        if (index < 0)
            return;
        Ranks[index] = Ranks[index] with
        {
            State = e.ExitCode == 0 && e.Signal is null ? RankState.Exited : RankState.Failed,
            ExitCode = e.ExitCode,
            ExitSignal = e.Signal,
        };
        // A rank the stall named that ended no longer holds the job up (a failure ends the job anyway).
        LeaveStall(e.Rank);
    }

    public void Apply(RankNodeLost e)
    {
        var index = Ranks.FindIndex(r => r.Rank == e.Rank);
        if (index >= 0)
            Ranks[index] = Ranks[index] with { State = RankState.Lost };
        Status = JobStatus.Lost;
        StatusReason = $"rank {e.Rank} is lost with node {e.NodeId} (no heartbeat since {e.LostAt:u}): restore the job from a checkpoint or kill it";
        LostOnNode = e.NodeId;
        PendingCheckpoint = null;
        KillRequested = false;
    }

    /// <summary>A rank's process state and activity as recorded; a stalled job's stall ends once every rank it named moved again.</summary>
    public void Apply(RankActivityRecorded e)
    {
        var index = Ranks.FindIndex(r => r.Rank == e.Rank);
        if (index < 0)
            return;
        Ranks[index] = Ranks[index] with { ProcessState = e.ProcessState, LastActivityAt = e.LastActivityAt ?? Ranks[index].LastActivityAt };
        if (e.Moved)
            LeaveStall(e.Rank);
    }

    /// <summary>The rank no longer holds the distributed job's stall up; the stall ends with the last rank it named.</summary>
    private void LeaveStall(int rank)
    {
        if (StallIncident is null || !StalledRanks.Remove(rank) || StalledRanks.Count > 0)
            return;
        StallIncident = null;
        if (Status == JobStatus.Running)
            StatusReason = null;
    }

    private void SetRanks(RankState from, RankState to)
    {
        for (var i = 0; i < Ranks.Count; i++)
            if (Ranks[i].State == from)
                Ranks[i] = Ranks[i] with { State = to };
    }

    public JobView ToView() => new()
    {
        JobId = JobId,
        Name = Name,
        Spec = Spec ?? throw new InvalidOperationException($"Job {JobId} was never submitted."),
        Status = Status,
        StatusReason = StatusReason,
        NodeId = NodeId,
        Pid = Pid,
        Progress = Progress,
        ProgressMessage = ProgressMessage,
        CpuSeconds = CpuSeconds,
        RssBytes = RssBytes,
        SubmittedAt = SubmittedAt,
        LastHeartbeatAt = LastHeartbeatAt,
        LastProgressAt = LastProgressAt,
        Checkpoints = Checkpoints.OrderBy(c => c.Sequence).ToArray(),
        Stalled = IsStalled,
        PendingCheckpoint = PendingCheckpoint,
        ExitCode = ExitCode,
        ExitSignal = ExitSignal,
        Version = Version,
        Suspended = IsSuspended,
        SwappedOut = SwappedOut,
        SwappedOutFor = SwappedOut ? SwapOutFor : null,
        Ranks = [.. Ranks],
    };

    public JobSummary ToSummary() => new()
    {
        JobId = JobId,
        Name = Name,
        Status = Status,
        NodeId = NodeId,
        Progress = Progress,
        SubmittedAt = SubmittedAt,
        LastHeartbeatAt = LastHeartbeatAt,
        Checkpoints = Checkpoints.Count,
        Stalled = IsStalled,
        Pool = Spec?.Pool,
        Suspended = IsSuspended,
        Project = Project,
        SwappedOut = SwappedOut,
        SwappedOutFor = SwappedOut ? SwapOutFor : null,
    };
}
