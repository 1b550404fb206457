using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Policies;

/// <summary>
/// The periodic checkpoint interval in force and why. Fixed: the policy's interval. Adaptive: Young/Daly √(2·C·M), with
/// C the job's measured checkpoint cost (mean pause of its newest checkpoints, or their duration when the engine reports
/// no pause) and M the pool's observed mean time between node failures (the policy's assumed M until one is seen),
/// bounded by the policy's minimum and maximum. Recomputed whenever asked, so it follows C and M as they change.
/// </summary>
public static class CheckpointIntervalPlanner
{
    /// <summary>How many of the newest checkpoints C averages over: recent enough to follow the job's growth.</summary>
    public const int CostSamples = 5;

    /// <param name="lastCheckpointAt">When the job last checkpointed or (re)started; the next one is due an interval later.</param>
    public static CheckpointIntervalView Plan(CheckpointSchedule schedule, IReadOnlyList<CheckpointInfo> checkpoints, PoolReliability? pool, DateTimeOffset? lastCheckpointAt)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        switch (schedule.Mode)
        {
            case CheckpointMode.Fixed:
                var fixedInterval = TimeSpan.FromSeconds(schedule.IntervalSeconds);
                return new CheckpointIntervalView { Interval = fixedInterval, Explanation = $"fixed: every {SpanText.Of(fixedInterval)}", NextDueAt = lastCheckpointAt + fixedInterval };
            case CheckpointMode.Adaptive:
                return Adaptive(schedule, checkpoints, pool, lastCheckpointAt);
            default:
                return new CheckpointIntervalView { Explanation = "off: no periodic checkpoints" };
        }
    }

    public static TimeSpan? MeasuredCost(IReadOnlyList<CheckpointInfo> checkpoints)
    {
        var costs = checkpoints.OrderByDescending(c => c.Sequence).Take(CostSamples)
            .Select(c => c.AppPause > TimeSpan.Zero ? c.AppPause : c.Duration).Where(c => c > TimeSpan.Zero).ToArray();
        return costs.Length == 0 ? null : TimeSpan.FromTicks((long)costs.Average(c => c.Ticks));
    }

    private static CheckpointIntervalView Adaptive(CheckpointSchedule schedule, IReadOnlyList<CheckpointInfo> checkpoints, PoolReliability? pool, DateTimeOffset? lastCheckpointAt)
    {
        var min = TimeSpan.FromSeconds(schedule.MinIntervalSeconds);
        var max = TimeSpan.FromSeconds(schedule.MaxIntervalSeconds);
        var m = pool?.MeanTimeBetweenFailures ?? TimeSpan.FromSeconds(schedule.AssumedMtbfSeconds);
        var mText = pool?.MeanTimeBetweenFailures is not null
            ? $"M={SpanText.Of(m)} ({pool.Failures} node loss{(pool.Failures == 1 ? "" : "es")} in {SpanText.Of(pool.NodeTime)} of node time in pool '{pool.Pool}')"
            : $"M={SpanText.Of(m)} (assumed: no node loss seen{(pool is null ? "" : $" in pool '{pool.Pool}'")})";
        if (MeasuredCost(checkpoints) is not { } c)
            return new CheckpointIntervalView
            {
                Interval = min,
                Explanation = $"adaptive: no checkpoint measured yet, so the minimum {SpanText.Of(min)} until C is known; {mText}",
                NextDueAt = lastCheckpointAt + min,
                MeanTimeBetweenFailures = m,
            };
        var young = TimeSpan.FromSeconds(Math.Sqrt(2 * c.TotalSeconds * m.TotalSeconds));
        var interval = young < min ? min : young > max ? max : young;
        var bound = young < min ? $", bounded to ≥ {SpanText.Of(min)}" : young > max ? $", bounded to ≤ {SpanText.Of(max)}" : "";
        return new CheckpointIntervalView
        {
            Interval = interval,
            Explanation = $"adaptive: C={SpanText.Of(c)}, {mText} → {SpanText.Of(young)}{bound}",
            NextDueAt = lastCheckpointAt + interval,
            CheckpointCost = c,
            MeanTimeBetweenFailures = m,
        };
    }
}
