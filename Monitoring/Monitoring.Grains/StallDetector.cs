using Caas.Contracts.Jobs;
using Caas.Monitoring.Grains.Distributed;
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
    /// <param name="ranks">What the grain remembers of a distributed job's ranks; none for an ordinary job.</param>
    public bool ShouldRaise(JobState job, RankActivity? ranks = null) => DueAt(job, ranks) is { } due && time.GetUtcNow() >= due;

    /// <returns>
    /// When the job stalls unless it shows activity first; null when it cannot stall (not running, already stalled)
    /// or when the platform cannot hear its agents, whose silence then says nothing about the job. Silence counts
    /// from the job's last activity, but never from before this grain listened, nor from before the agents had
    /// <see cref="IPlatformHearing.ReconnectAllowance"/> to reconnect after the platform could hear again. A distributed
    /// job stalls when ANY of its running ranks is silent that long: its peers wait for that rank.
    /// </returns>
    public DateTimeOffset? DueAt(JobState job, RankActivity? ranks = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Spec is null || job.Status != JobStatus.Running || job.IsStalled)
            return null;
        if (!job.IsDistributed)
        {
            if (job.LastActivityAt is not { } since)
                return null;
            var dueByActivity = since + job.Spec.StallThreshold;
            // Heartbeats sent after the threshold that showed no activity are evidence, whenever they came in: after a
            // silo kill the ones the dead silo held are delivered again to the grain's new activation, which thus
            // finds a stall as soon as it hears them instead of a whole threshold after it woke.
            if (job.LastHeartbeatAt is { } heard && heard >= dueByActivity)
                return dueByActivity;
            return SilentFrom(since) is { } from ? from + job.Spec.StallThreshold : null;
        }
        ranks ??= new RankActivity();
        var due = (DateTimeOffset?)null;
        foreach (var rank in job.Ranks.Where(r => r.State == RankState.Running))
        {
            if (ranks.LastActivity(job, rank) is not { } since || SilentFrom(since) is not { } from)
                continue;
            var rankDue = from + job.Spec.StallThreshold;
            if (due is null || rankDue < due)
                due = rankDue;
        }
        return due;
    }

    /// <returns>
    /// The running ranks of a distributed job that stall it now: silent for its whole threshold (by the same rules as
    /// <see cref="DueAt"/>), and any whose process is stopped, which cannot move whenever its silence began; by rank.
    /// </returns>
    public IReadOnlyList<RankStall> StalledRanks(JobState job, RankActivity ranks)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(ranks);
        var now = time.GetUtcNow();
        var stalled = new List<RankStall>();
        if (job.Spec is null)
            return stalled;
        foreach (var rank in job.Ranks.Where(r => r.State == RankState.Running).OrderBy(r => r.Rank))
        {
            if (ranks.LastActivity(job, rank) is not { } since)
                continue;
            var stopped = rank.ProcessState is "T" or "t";
            if (stopped || (SilentFrom(since) is { } from && from + job.Spec.StallThreshold <= now))
                stalled.Add(new RankStall(rank.Rank, rank.NodeId, since, rank.ProcessState));
        }
        return stalled;
    }

    /// <returns>When silence since <paramref name="since"/> began to count; null while the platform cannot hear.</returns>
    private DateTimeOffset? SilentFrom(DateTimeOffset since)
    {
        if (_hearing.HearingSince is not { } hearingSince)
            return null;
        var silentFrom = Latest(since, _listeningSince);
        if (since < hearingSince)
            silentFrom = Latest(silentFrom, hearingSince + _hearing.ReconnectAllowance);
        return silentFrom;
    }

    private static DateTimeOffset Latest(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
