using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Grains;

/// <summary>
/// Decides whether a running job has stalled: no progress (or, for a job that never reports progress,
/// no CPU growth) for longer than its spec's threshold. One stall per episode: a stalled job is not
/// stalled again until it has moved or been restored.
/// </summary>
public sealed class StallDetector(TimeProvider time)
{
    /// <returns>True when a new stall should be recorded now.</returns>
    public bool ShouldRaise(JobState job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Spec is null || job.Status != JobStatus.Running || job.IsStalled || job.LastActivityAt is not { } since)
            return false;
        return time.GetUtcNow() - since > job.Spec.StallThreshold;
    }

}
