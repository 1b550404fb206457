using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Grains;

/// <summary>
/// Decides whether a running job has stalled: it showed no activity for its spec's whole threshold. Activity is
/// progress the job reported (libcaas or its progress file) or, for a job that never reports progress, growth of its
/// CPU time or I/O bytes. A stopped (SIGSTOP) or deadlocked process shows none, so it stalls; a job that sleeps by
/// design between reports stays clear as long as its threshold is longer than its sleeps, which is what the threshold
/// is for. One stall per episode: a stalled job is not stalled again until it has moved or been restored.
/// </summary>
public sealed class StallDetector(TimeProvider time)
{
    /// <returns>True when a new stall should be recorded now.</returns>
    public bool ShouldRaise(JobState job) => DueAt(job) is { } due && time.GetUtcNow() >= due;

    /// <returns>When the job stalls unless it shows activity first; null when it cannot stall (not running, or already stalled).</returns>
    public static DateTimeOffset? DueAt(JobState job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Spec is null || job.Status != JobStatus.Running || job.IsStalled || job.LastActivityAt is not { } since)
            return null;
        return since + job.Spec.StallThreshold;
    }
}
