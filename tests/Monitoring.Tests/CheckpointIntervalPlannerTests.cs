using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;
using Caas.Monitoring.Grains.Policies;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class CheckpointIntervalPlannerTests
{
    private static readonly DateTimeOffset Last = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly CheckpointSchedule Adaptive = new() { Mode = CheckpointMode.Adaptive, MinIntervalSeconds = 300, MaxIntervalSeconds = 3600, AssumedMtbfSeconds = 86400 };

    private static CheckpointInfo Taken(int sequence, double pauseSeconds, double durationSeconds = 5) =>
        new() { Sequence = sequence, NodeId = "node-1", AppPause = TimeSpan.FromSeconds(pauseSeconds), Duration = TimeSpan.FromSeconds(durationSeconds) };

    [Fact]
    public void Off_means_no_interval_and_fixed_means_the_policys()
    {
        var off = CheckpointIntervalPlanner.Plan(new CheckpointSchedule(), [], null, Last);
        var fixedPlan = CheckpointIntervalPlanner.Plan(new CheckpointSchedule { Mode = CheckpointMode.Fixed, IntervalSeconds = 90 }, [], null, Last);

        Assert.Equal((null, "off: no periodic checkpoints", null), (off.Interval, off.Explanation, off.NextDueAt));
        Assert.Equal((TimeSpan.FromSeconds(90), "fixed: every 90 s", Last.AddSeconds(90)), (fixedPlan.Interval, fixedPlan.Explanation, fixedPlan.NextDueAt));
    }

    [Fact]
    public void Adaptive_is_young_daly_from_the_measured_cost_and_the_pools_observed_failures_bounded_below()
    {
        // C = 0.4 s, M = 6 h: √(2 · 0.4 · 21600) = 131.5 s, under the 5 min floor.
        var pool = new PoolReliability("cloud-a", TimeSpan.FromHours(12), 2);

        var plan = CheckpointIntervalPlanner.Plan(Adaptive, [Taken(1, 0.3), Taken(2, 0.5)], pool, Last);

        Assert.Equal(TimeSpan.FromMinutes(5), plan.Interval);
        Assert.Equal("adaptive: C=0.4 s, M=6 h (2 node losses in 12 h of node time in pool 'cloud-a') → 2.2 min, bounded to ≥ 5 min", plan.Explanation);
        Assert.Equal((TimeSpan.FromSeconds(0.4), TimeSpan.FromHours(6), Last.AddMinutes(5)), (plan.CheckpointCost, plan.MeanTimeBetweenFailures, plan.NextDueAt));
    }

    [Fact]
    public void Adaptive_follows_the_cost_as_it_grows_and_uses_the_assumed_mtbf_until_a_loss_is_seen()
    {
        // C = 12 s (no pause reported, so the duration counts), M assumed 24 h: √(2 · 12 · 86400) = 1440 s = 24 min.
        var plan = CheckpointIntervalPlanner.Plan(Adaptive, [Taken(1, 0, 12)], new PoolReliability("cloud-a", TimeSpan.FromHours(3), 0), Last);

        Assert.Equal(TimeSpan.FromMinutes(24), plan.Interval);
        Assert.Equal("adaptive: C=12 s, M=24 h (assumed: no node loss seen in pool 'cloud-a') → 24 min", plan.Explanation);

        // Only the newest five checkpoints count: the job's recent cost, not its whole history's.
        var grown = CheckpointIntervalPlanner.Plan(Adaptive, [Taken(1, 0.01), .. Enumerable.Range(2, 5).Select(s => Taken(s, 200))], null, Last);
        Assert.Equal(TimeSpan.FromHours(1), grown.Interval);
        Assert.EndsWith("→ 1.6 h, bounded to ≤ 1 h", grown.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Adaptive_starts_at_the_minimum_until_a_checkpoint_is_measured()
    {
        var plan = CheckpointIntervalPlanner.Plan(Adaptive, [], null, Last);

        Assert.Equal(TimeSpan.FromMinutes(5), plan.Interval);
        Assert.Equal("adaptive: no checkpoint measured yet, so the minimum 5 min until C is known; M=24 h (assumed: no node loss seen)", plan.Explanation);
    }
}
