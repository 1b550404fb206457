using Caas.Contracts.Jobs;
using Caas.Monitoring.Grains.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Monitoring.Tests;

/// <summary>The placement rules over a roster of agents, driven by a fake clock.</summary>
[Trait("Category", "Unit")]
public sealed class NodePlacementTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly NodeRoster _roster;

    public NodePlacementTests() => _roster = new NodeRoster(_clock);

    private void Heartbeat(string node, string pool = "onprem", int slots = 4, int running = 0, string? engine = "criu 4.2.1", string labels = "") =>
        _roster.RecordHeartbeat(new NodeStatus
        {
            NodeId = node, Pool = pool, JobSlots = slots, RunningJobs = running, Engine = engine,
            EngineProblem = engine is null ? "criu check failed" : null, HeartbeatInterval = Interval,
            LastHeartbeatAt = _clock.GetUtcNow(), Labels = NodeLabelRules.Parse(labels),
        });

    private static JobSpec Spec(string? pool = null, string labels = "") =>
        new() { Command = "/bin/true", Pool = pool, NodeLabels = NodeLabelRules.Parse(labels) };

    private string? Choose(JobSpec spec) => _roster.Choose(spec).NodeId;

    [Fact]
    public void A_job_that_names_a_pool_goes_only_to_a_node_in_that_pool()
    {
        Heartbeat("on-1", pool: "onprem", slots: 16);
        Heartbeat("cloud-1", pool: "cloud-a", slots: 1);

        Assert.Equal("cloud-1", Choose(Spec(pool: "cloud-a")));
        var full = _roster.Choose(Spec(pool: "cloud-a"));
        Assert.Equal((null, "every usable node in pool 'cloud-a' is full (cloud-1: 1 of 1 slots busy)"), (full.NodeId, full.Problem));
        Assert.Equal("no node in pool 'gpu' (pools: cloud-a, onprem)", _roster.Choose(Spec(pool: "gpu")).Problem);
    }

    [Fact]
    public void Jobs_without_a_pool_go_to_the_least_loaded_node_first_and_spread_before_the_agents_report_them()
    {
        Heartbeat("a", slots: 4, running: 2);
        Heartbeat("b", slots: 8, running: 2);
        Heartbeat("c", slots: 2, running: 0);

        // Shares busy: a 2/4, b 2/8, c 0/2 → c (0); b (1/4); b (3/8); then all are half busy: most free slots wins,
        // b (4 free), a (2 free), c (1 free).
        Assert.Equal(new string?[] { "c", "b", "b", "b", "a", "c" }, Enumerable.Range(0, 6).Select(_ => Choose(Spec())));
    }

    [Fact]
    public void A_heartbeat_sent_before_a_placed_job_launched_does_not_make_the_node_look_free()
    {
        Heartbeat("a", slots: 4);
        Heartbeat("b", slots: 4);
        Assert.Equal("a", Choose(Spec()));

        _clock.Advance(Interval);
        Heartbeat("a", slots: 4, running: 0);
        // a's job has not launched yet, though a heartbeated since: it still counts, so b is less loaded.
        Assert.Equal("b", Choose(Spec()));
        Heartbeat("a", slots: 4, running: 1);
        Heartbeat("b", slots: 4, running: 0);
        // a now reports its job running, b's is still pending: one each, and the tie goes by node id.
        Assert.Equal("a", Choose(Spec()));

        // Placements their nodes never report running stop counting after two more heartbeats.
        for (var beat = 0; beat < NodeRoster.PendingForHeartbeats; beat++)
        {
            _clock.Advance(Interval);
            Heartbeat("a", slots: 4, running: 1);
            Heartbeat("b", slots: 4, running: 0);
        }
        Assert.Equal("b", Choose(Spec()));
    }

    [Fact]
    public void A_job_that_requires_labels_goes_only_to_a_node_carrying_every_one_of_them_with_the_same_value()
    {
        Heartbeat("plain", slots: 16);
        Heartbeat("gpu-old", labels: "gpu=k80");
        Heartbeat("gpu-new", labels: "gpu=a100,zone=eu-1");

        Assert.Equal("gpu-new", Choose(Spec(labels: "gpu=a100")));
        Assert.Equal("gpu-new", Choose(Spec(labels: "zone=eu-1,gpu=a100")));
        Assert.Equal("no node in pool 'onprem' with labels gpu=a100,zone=us-1",
            _roster.Choose(Spec(pool: "onprem", labels: "gpu=a100,zone=us-1")).Problem);
    }

    [Fact]
    public void A_drained_node_gets_no_new_job_and_takes_jobs_again_when_undrained()
    {
        Heartbeat("a", slots: 16);
        Heartbeat("b", slots: 2);

        Assert.True(_roster.SetDrained("a", true));
        Assert.False(_roster.SetDrained("a", true));
        Assert.Equal(new string?[] { "b", "b" }, new[] { Choose(Spec()), Choose(Spec()) });
        Assert.Equal("every usable node is full (b: 2 of 2 slots busy)", _roster.Choose(Spec()).Problem);
        Assert.True(_roster.Find("a")!.Drained);

        Assert.True(_roster.SetDrained("b", true));
        Assert.Equal("every live node is drained (a, b)", _roster.Choose(Spec()).Problem);
        _roster.SetDrained("a", false);
        Assert.Equal("a", Choose(Spec()));
    }

    [Fact]
    public void A_node_without_a_usable_engine_gets_no_job_and_the_reason_says_why()
    {
        Heartbeat("broken", engine: null);

        Assert.Equal("no live node has a usable checkpoint engine (broken: criu check failed)", _roster.Choose(Spec()).Problem);
    }

    [Fact]
    public void A_node_silent_past_three_intervals_is_listed_lost_and_gets_no_job_until_it_is_back()
    {
        Heartbeat("a");
        _clock.Advance(3 * Interval);
        Assert.Equal("a", Choose(Spec()));

        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(NodeHealth.Lost, _roster.Find("a")!.Health);
        Assert.Equal("every node is lost or returning from a loss (a: lost)", _roster.Choose(Spec()).Problem);

        Heartbeat("a");
        Assert.Equal(NodeHealth.Returning, _roster.List().Single().Health);
        Assert.Null(Choose(Spec()));
        for (var beat = 0; beat < 6; beat++)
        {
            _clock.Advance(Interval);
            Heartbeat("a");
        }
        Assert.Equal((NodeHealth.Live, "a"), (_roster.Find("a")!.Health, Choose(Spec())));
    }

    [Fact]
    public void With_no_agent_at_all_the_reason_says_so()
    {
        Assert.Equal("no node agent has registered yet", _roster.Choose(Spec()).Problem);
    }
}
