using Caas.Contracts.Jobs;
using Caas.Monitoring.Grains.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class NodeLivenessDetectorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly NodeLivenessDetector _detector;

    public NodeLivenessDetectorTests() => _detector = new NodeLivenessDetector(_clock);

    private void ClockAt(double seconds) => _clock.SetUtcNow(T0.AddSeconds(seconds));

    private static NodeLivenessChange Lost(double seconds, string node = "node-1") => new(node, NodeHealth.Lost, T0.AddSeconds(seconds));
    private static NodeLivenessChange Back(double seconds, string node = "node-1") => new(node, NodeHealth.Live, T0.AddSeconds(seconds));

    /// <summary>Heartbeats every 5 s from <paramref name="from"/> to <paramref name="to"/> inclusive.</summary>
    private void HeartbeatsFrom(double from, double to, string node = "node-1")
    {
        for (var s = from; s <= to; s += 5)
        {
            ClockAt(s);
            _detector.RecordHeartbeat(node);
        }
    }

    [Fact]
    public void The_timeout_is_three_of_the_assumed_heartbeat_intervals()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), NodeLivenessDetector.AssumedHeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(15), NodeLivenessDetector.LostAfter);
        Assert.Equal(TimeSpan.FromSeconds(30), NodeLivenessDetector.Probation);
        Assert.Equal(TimeSpan.FromMinutes(5), NodeLivenessDetector.FlapWindow);
    }

    [Fact]
    public void A_node_that_says_its_interval_is_judged_by_it_lost_after_three_and_back_after_six()
    {
        var second = TimeSpan.FromSeconds(1);
        _detector.RecordHeartbeat("fast", second);

        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(NodeHealth.Live, _detector.HealthOf("fast"));
        _clock.Advance(Tick);
        Assert.Equal(NodeHealth.Lost, _detector.HealthOf("fast"));
        Assert.Equal([Lost(3, "fast")], _detector.Evaluate());

        ClockAt(10);
        Assert.Equal(NodeHealth.Returning, _detector.RecordHeartbeat("fast", second));
        for (var s = 11; s <= 16; s++)
        {
            ClockAt(s);
            _detector.RecordHeartbeat("fast", second);
        }
        Assert.Equal(NodeHealth.Live, _detector.HealthOf("fast"));
        Assert.Equal([Back(16, "fast")], _detector.Evaluate());
    }

    [Fact]
    public void A_node_first_heard_of_is_live_at_once_and_an_unknown_one_has_no_health()
    {
        Assert.Equal(NodeHealth.Live, _detector.RecordHeartbeat("node-1"));
        Assert.Equal(NodeHealth.Live, _detector.HealthOf("node-1"));
        Assert.Null(_detector.HealthOf("node-2"));
        Assert.Empty(_detector.Evaluate());
    }

    [Fact]
    public void A_silent_node_is_lost_once_its_silence_passes_the_timeout_and_is_announced_once()
    {
        HeartbeatsFrom(0, 10);

        _clock.SetUtcNow(T0.AddSeconds(25));
        Assert.Equal(NodeHealth.Live, _detector.HealthOf("node-1"));
        Assert.Empty(_detector.Evaluate());
        _clock.Advance(Tick);
        Assert.Equal(NodeHealth.Lost, _detector.HealthOf("node-1"));
        Assert.Equal([Lost(25)], _detector.Evaluate());

        ClockAt(3600);
        Assert.Equal(NodeHealth.Lost, _detector.HealthOf("node-1"));
        Assert.Empty(_detector.Evaluate());
        Assert.Equal([Lost(25)], _detector.Changes());
    }

    [Fact]
    public void A_loss_is_timed_by_the_silence_however_late_the_detector_looks()
    {
        HeartbeatsFrom(0, 10);

        ClockAt(100);
        _detector.RecordHeartbeat("node-1");

        var node = Assert.Single(_detector.List());
        Assert.Equal((NodeHealth.Returning, T0.AddSeconds(100), T0.AddSeconds(130)), (node.Health, node.Since, node.LiveFrom));
        Assert.Equal([Lost(25)], _detector.Evaluate());
    }

    [Fact]
    public void A_node_that_comes_back_counts_as_live_only_after_holding_up_for_its_probation()
    {
        HeartbeatsFrom(0, 10);
        ClockAt(30);
        Assert.Equal(NodeHealth.Returning, _detector.RecordHeartbeat("node-1"));
        HeartbeatsFrom(35, 55);

        _clock.SetUtcNow(T0.AddSeconds(60) - Tick);
        Assert.Equal(NodeHealth.Returning, _detector.HealthOf("node-1"));
        _clock.Advance(Tick);
        Assert.Equal(NodeHealth.Live, _detector.HealthOf("node-1"));
        Assert.Equal([Lost(25), Back(60)], _detector.Evaluate());
    }

    [Fact]
    public void A_returning_node_that_falls_silent_again_stays_lost_without_a_second_announcement()
    {
        HeartbeatsFrom(0, 10);
        HeartbeatsFrom(30, 40);

        ClockAt(56);
        Assert.Equal(NodeHealth.Lost, _detector.HealthOf("node-1"));
        HeartbeatsFrom(60, 95);

        Assert.Equal(NodeHealth.Live, _detector.HealthOf("node-1"));
        Assert.Equal([Lost(25), Back(90)], _detector.Evaluate());
    }

    [Fact]
    public void A_flapping_node_raises_at_most_one_lost_and_back_pair_per_window()
    {
        HeartbeatsFrom(0, 10);          // lost at 25
        HeartbeatsFrom(30, 60);         // back at 60, after 30 s of probation
        HeartbeatsFrom(80, 120);        // lost at 75; back at 110 would be within 5 minutes of the last back
        HeartbeatsFrom(140, 355);       // silently lost again at 135; back only at 60 + 300 = 360

        _clock.SetUtcNow(T0.AddSeconds(360) - Tick);
        Assert.Equal(NodeHealth.Returning, _detector.HealthOf("node-1"));
        Assert.Equal(T0.AddSeconds(360), _detector.List().Single().LiveFrom);
        HeartbeatsFrom(360, 400);
        Assert.Equal(NodeHealth.Live, _detector.HealthOf("node-1"));
        Assert.Equal([Lost(25), Back(60), Lost(75), Back(360)], _detector.Changes());
    }

    [Fact]
    public void A_node_flapping_every_minute_for_an_hour_is_announced_lost_and_back_once_per_window()
    {
        // Up 30 s (heartbeats every 5 s), silent 25 s: sixty outages, each long enough to be a loss.
        for (var minute = 0; minute < 60; minute++)
            HeartbeatsFrom(minute * 60, minute * 60 + 30);
        ClockAt(3600);

        List<NodeLivenessChange> expected = [Lost(45)];
        for (var k = 0; k < 12; k++)
            expected.AddRange([Back(90 + 300 * k), Lost(105 + 300 * k)]);
        Assert.Equal(expected, _detector.Changes());
    }

    [Fact]
    public void A_node_that_never_holds_up_for_its_probation_is_lost_once_and_never_back()
    {
        // Up 10 s, silent 25 s, for an hour.
        for (var cycle = 0; cycle < 100; cycle++)
            HeartbeatsFrom(cycle * 35, cycle * 35 + 10);
        ClockAt(3600);

        Assert.Equal([Lost(25)], _detector.Changes());
        Assert.Equal(NodeHealth.Lost, _detector.HealthOf("node-1"));
    }

    [Fact]
    public void Nodes_are_judged_independently()
    {
        for (var s = 0; s <= 30; s += 5)
        {
            ClockAt(s);
            _detector.RecordHeartbeat("node-2");
            if (s <= 10)
                _detector.RecordHeartbeat("node-1");
        }

        ClockAt(31);
        Assert.Equal([("node-1", NodeHealth.Lost), ("node-2", NodeHealth.Live)], _detector.List().Select(n => (n.NodeId, n.Health)));
        Assert.Equal([Lost(25)], _detector.Evaluate());
    }
    [Fact]
    public void While_the_platform_cannot_hear_no_node_is_lost_and_once_it_hears_again_each_node_may_reconnect_and_then_has_its_timeout()
    {
        var hearing = new SwitchableHearing { Since = T0 };
        var detector = new NodeLivenessDetector(_clock, hearing);
        detector.RecordHeartbeat("quiet");
        detector.RecordHeartbeat("speaks");

        // The broker goes down at 2 s and is back at 60 s: far past every node's 15 s timeout, and nobody is blamed.
        ClockAt(2);
        hearing.Since = null;
        ClockAt(59);
        Assert.Equal(NodeHealth.Live, detector.HealthOf("quiet"));
        Assert.Empty(detector.Evaluate());

        ClockAt(60);
        hearing.Since = T0.AddSeconds(60);
        hearing.Allowance = TimeSpan.FromSeconds(20);
        var dueAt = 60 + 20 + NodeLivenessDetector.LostAfter.TotalSeconds;
        ClockAt(dueAt - 5);
        detector.RecordHeartbeat("speaks");
        ClockAt(dueAt);
        Assert.Empty(detector.Evaluate());

        // Silent through the reconnect allowance and its timeout after the platform could hear again: lost as of then.
        ClockAt(dueAt + 1);
        Assert.Equal([Lost(dueAt, "quiet")], detector.Evaluate());
        Assert.Equal(NodeHealth.Live, detector.HealthOf("speaks"));
    }

    private sealed class SwitchableHearing : IPlatformHearing
    {
        public DateTimeOffset? Since { get; set; }
        public TimeSpan Allowance { get; set; }
        public DateTimeOffset? HearingSince => Since;
        public TimeSpan ReconnectAllowance => Allowance;
    }
}
