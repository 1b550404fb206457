using Caas.Contracts.Jobs;
using Caas.Monitoring.Grains.Nodes;

namespace Caas.Monitoring.Grains;

/// <summary>
/// Decides whether a running job has stalled: it showed no activity for its spec's whole threshold. Activity is
/// progress the job reported (libcaas or its progress file) or, for a job that never reports progress, growth of its
/// CPU time or I/O bytes. A stopped (SIGSTOP) or deadlocked process shows none, so it stalls; a job that sleeps by
/// design between reports stays clear as long as its threshold is longer than its sleeps, which is what the threshold
/// is for. One stall per episode: a stalled job is not stalled again until it has moved or been restored.
/// </summary>
public sealed class StallDetector(TimeProvider time, IPlatformHearing? hearing = null)
{
    private readonly IPlatformHearing _hearing = hearing ?? AlwaysHearing.Instance;

    /// <summary>
    /// When this detector, made with its grain's activation, began to listen. Silence before it was not heard by
    /// anyone: after a silo is killed the job's grain wakes on another silo with the last activity it had stored, while
    /// the heartbeats the dead silo held still wait in RabbitMQ to be delivered again. Counting that gap as a stall
    /// raised false stalls on 936 of 1,000 moving jobs in the soak (docs/benchmarks.md).
    /// </summary>
    private readonly DateTimeOffset _listeningSince = time.GetUtcNow();

    /// <returns>True when a new stall should be recorded now.</returns>
    public bool ShouldRaise(JobState job) => DueAt(job) is { } due && time.GetUtcNow() >= due;

    /// <returns>
    /// When the job stalls unless it shows activity first; null when it cannot stall (not running, already stalled)
    /// or when the platform cannot hear its agents, whose silence then says nothing about the job. Silence counts
    /// from the job's last activity, but never from before this grain listened, nor from before the agents had
    /// <see cref="IPlatformHearing.ReconnectAllowance"/> to reconnect after the platform could hear again.
    /// </returns>
    public DateTimeOffset? DueAt(JobState job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Spec is null || job.Status != JobStatus.Running || job.IsStalled || job.LastActivityAt is not { } since)
            return null;
        if (_hearing.HearingSince is not { } hearingSince)
            return null;
        var silentFrom = Latest(since, _listeningSince);
        if (since < hearingSince)
            silentFrom = Latest(silentFrom, hearingSince + _hearing.ReconnectAllowance);
        return silentFrom + job.Spec.StallThreshold;
    }

    private static DateTimeOffset Latest(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
