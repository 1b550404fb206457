using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Grains.Starvation;

/// <summary>
/// Decides whether a running job is starved: over its starvation window it progressed at less than its spec's ratio
/// of its own learned baseline. Judged at the job's latest heartbeat, so a node that stops heartbeating is a lost
/// node, not a starved job. One starvation per episode; the episode ends when the job is back above twice the ratio
/// (at most its full baseline), a margin that keeps a job hovering at the threshold from raising a storm.
/// </summary>
public sealed class StarvationDetector(TimeProvider time)
{
    /// <returns>What to record now, or null when the job is not (newly) starved.</returns>
    public StarvationFinding? Find(JobState job)
    {
        if (job.IsStarved || job.IsStalled || Measure(job) is not var (from, to, rate, baseline))
            return null;
        if (rate >= baseline * job.Spec!.StarvationRatio)
            return null;
        var (cause, detail) = StarvationCauses.Classify(job.Pace, from, to);
        return new StarvationFinding(cause, detail, rate, baseline);
    }

    /// <returns>The job's rate when its starvation episode is over, else null.</returns>
    public double? RecoveredRate(JobState job)
    {
        if (!job.IsStarved || Measure(job) is not var (_, _, rate, baseline))
            return null;
        return rate >= baseline * Math.Min(1, 2 * job.Spec!.StarvationRatio) ? rate : null;
    }

    private (PacePoint From, PacePoint To, double Rate, double Baseline)? Measure(JobState job)
    {
        if (job.Spec is not { } spec || spec.StarvationWindow <= TimeSpan.Zero || job.Status != JobStatus.Running)
            return null;
        if (!job.Pace.HasBaseline || job.Pace.LastWindow(spec.StarvationWindow) is not var (from, to))
            return null;
        // Heartbeats older than half a window say nothing about now.
        if (time.GetUtcNow() - to.At > spec.StarvationWindow / 2)
            return null;
        var rate = (to.Progress - from.Progress) / (to.At - from.At).TotalSeconds;
        return (from, to, rate, job.Pace.BaselineRate!.Value);
    }
}
