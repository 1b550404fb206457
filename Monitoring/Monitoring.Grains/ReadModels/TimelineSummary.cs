using System.Globalization;
using Caas.Contracts.Events;

namespace Caas.Monitoring.Grains.ReadModels;

/// <summary>One line for people per job event, as the job page's timeline shows it.</summary>
public static class TimelineSummary
{
    public static string Describe(IJobEvent jobEvent) => jobEvent switch
    {
        JobSubmitted e => $"submitted: {string.Join(' ', new[] { e.Spec.Command }.Concat(e.Spec.Args)).Truncate(120)}",
        JobPlaced e => $"placed on node {e.NodeId}",
        JobStarted e => $"started on node {e.NodeId}, pid {e.Pid}",
        JobStartFailed e => $"could not start on node {e.NodeId}: {e.Reason}",
        HeartbeatRecorded e => Invariant($"heartbeat from {e.NodeId}: cpu {e.Sample.CpuSeconds:0.0} s, rss {MiB(e.Sample.RssBytes)} MiB, state {e.Sample.State}"),
        ProgressReported e => e.Message is { Length: > 0 } message
            ? Invariant($"progress {e.Progress * 100:0.0} %: {message}")
            : Invariant($"progress {e.Progress * 100:0.0} %"),
        CheckpointRequested e => $"checkpoint {e.Sequence} requested ({(e.LeaveRunning ? "job keeps running" : "job stops")})",
        CheckpointTaken e => Invariant($"checkpoint {e.Checkpoint.Sequence} taken: {MiB(e.Checkpoint.SizeBytes)} MiB in {e.Checkpoint.Duration.TotalSeconds:0.00} s"),
        CheckpointFailed e => $"checkpoint {e.Sequence} failed: {e.Reason}",
        KillRequested e => $"kill requested: {e.Reason}",
        JobExited e => $"exited: {e.Reason}",
        JobStalled { Ranks: { Count: > 0 } ranks } e => $"stalled: no activity for {DurationText.Of(e.At - e.LastProgressAt)} from {string.Join(", ", ranks.Select(r => r.Describe()))}",
        JobStalled e => $"stalled: no progress for {DurationText.Of(e.At - e.LastProgressAt)}",
        RankActivityRecorded e => $"rank {e.Rank} on {e.NodeId}: {(e.Moved ? "active" : "no activity")}, process state {e.ProcessState}",
        JobStarved e => Invariant($"starved ({e.Cause.ToString().ToLowerInvariant()}): {e.Rate / e.BaselineRate * 100:0} % of its usual pace; {e.Detail}"),
        JobStarvationEnded => "back to its usual pace",
        RestoreRequested e => $"restore from checkpoint {e.Sequence} requested: {e.Reason}",
        JobRestored e => $"restored from checkpoint {e.Sequence} on node {e.NodeId}, pid {e.Pid}",
        RestoreFailed e => $"restore from checkpoint {e.Sequence} failed: {e.Reason}",
        RecoveryFinished e => $"recovery {(e.Succeeded ? "succeeded" : "failed")}: {e.Outcome}",
        CheckpointVerificationRequested e => $"test restore of checkpoint {e.Sequence} requested",
        CheckpointVerified e => $"checkpoint {e.Sequence} verified: its test restore on node {e.NodeId} came to life",
        CheckpointVerificationFailed e => $"checkpoint {e.Sequence} failed verification: {e.Reason}",
        CheckpointDeleted e => $"checkpoint {e.Sequence} deleted from node {e.NodeId}: {e.Reason}",
        RecoveryPolicyApplied e => $"policy on {e.Decision.Trigger.ToString().ToLowerInvariant()}: {e.Decision.Reason}",
        RecoveryPolicySet => "recovery policy set for this job",
        JobNodeLost e => $"node {e.NodeId} lost",
        CheckpointCopied e => $"checkpoint {e.Sequence} copied to node {e.NodeId}",
        JobSwapOutRequested e => $"swap-out to checkpoint {e.Sequence} requested: {e.Reason}",
        RecoveryCheckpointRequested e => $"checkpoint {e.Sequence} requested before the policy moves the job: {e.Reason}",
        DistributedRestorePlanned e => $"every rank is stopped, then checkpoint {e.Sequence} is restored: {e.Reason}",
        JobSwappedIn e => $"swapped in: restoring checkpoint {e.Sequence} on node {e.NodeId}",
        NodeLostWithJob e => $"node {e.NodeId} lost (no heartbeat) at {e.LostAt:u}",
        NodeReturnedWithJob e => $"node {e.NodeId} came back with the job still running: it goes on there",
        _ => jobEvent.GetType().Name,
    };

    private static string MiB(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Truncate(this string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
