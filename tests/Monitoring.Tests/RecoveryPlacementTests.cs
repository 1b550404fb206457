using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;
using Caas.Monitoring.Grains.Nodes;

namespace Caas.Monitoring.Tests;

/// <summary>Where recovery may bring a job back: the pools its policy allows and prefers, and nodes whose engine and CPU can take the image.</summary>
[Trait("Category", "Unit")]
public sealed class RecoveryPlacementTests
{
    private static readonly JobSpec Spec = new() { Command = "/bin/true" };

    private static readonly string[] Epyc = ["avx", "avx2", "fpu", "sse4_2"];
    private static readonly string[] Avx512 = [.. Epyc, "avx512f", "avx512vl"];

    private static NodeStatus Node(string id, string pool, int slots = 2, int running = 0, string engine = "criu 4.2.1", string[]? cpuFlags = null) => new()
    {
        NodeId = id, Pool = pool, JobSlots = slots, RunningJobs = running, Engine = engine, Health = NodeHealth.Live,
        CpuModel = cpuFlags == Avx512 ? "Xeon" : "EPYC", CpuFlags = cpuFlags,
    };

    private static CheckpointInfo Image(string engine = "criu 4.2.1", string[]? cpuFlags = null) =>
        new() { Sequence = 3, NodeId = "gone", Engine = engine, CpuFlags = cpuFlags ?? [] };

    private static readonly NodeStatus[] Nodes =
    [
        Node("a-1", "cloud-a"), Node("a-2", "cloud-a", running: 1), Node("b-1", "cloud-b", running: 1), Node("c-1", "cloud-c"),
    ];

    private static PlacementDecision Choose(RecoveryTargets? targets, IReadOnlyCollection<NodeStatus>? nodes = null, JobSpec? spec = null, string? engine = "criu 4.2.1",
        string[]? imageCpuFlags = null) =>
        RecoveryPlacement.Choose(spec ?? Spec, targets, engine is null ? null : Image(engine, imageCpuFlags), nodes ?? Nodes, _ => 0, targets?.AvoidNodeId is { } avoid ? [avoid] : []);

    [Fact]
    public void Without_crossing_pools_the_job_comes_back_in_its_own_pool_even_when_other_pools_are_emptier()
    {
        var targets = new RecoveryTargets { AvoidNodeId = "a-1", CurrentPool = "cloud-a" };

        Assert.Equal("a-2", Choose(targets).NodeId);
        var full = Choose(targets, [Node("a-1", "cloud-a"), Node("a-2", "cloud-a", running: 2), Node("c-1", "cloud-c")]);
        Assert.Null(full.NodeId);
        Assert.Equal("every usable node other than a-1 is full (a-2: 2 of 2 slots busy) (policy allows pool 'cloud-a' only)", full.Problem);
    }

    [Fact]
    public void A_move_to_another_pool_leaves_the_current_pool_and_tries_the_preferred_pools_first_in_their_order()
    {
        var targets = new RecoveryTargets
        {
            AvoidNodeId = "a-1", CurrentPool = "cloud-a", AllowCrossPool = true, RequireOtherPool = true,
            AllowedPools = ["cloud-a", "cloud-b", "cloud-c"], PreferredPools = ["cloud-b", "cloud-c"],
        };

        // cloud-b is busier than cloud-c, but preferred first; a-2 is never chosen, as the job must leave cloud-a.
        Assert.Equal("b-1", Choose(targets).NodeId);
        Assert.Equal("c-1", Choose(targets, [Node("a-2", "cloud-a"), Node("b-1", "cloud-b", running: 2), Node("c-1", "cloud-c")]).NodeId);
        Assert.Equal("no node in a pool the policy allows (policy allows a pool other than 'cloud-a' among cloud-a, cloud-b, cloud-c; pools: cloud-a)",
            Choose(targets, [Node("a-2", "cloud-a")]).Problem);
    }

    [Fact]
    public void Crossing_pools_stays_within_the_allowed_pools_and_overrides_the_pool_the_spec_named()
    {
        var targets = new RecoveryTargets { AvoidNodeId = "a-1", CurrentPool = "cloud-a", AllowCrossPool = true, AllowedPools = ["cloud-a", "cloud-c"] };
        var busyA = new[] { Node("a-1", "cloud-a", running: 2), Node("a-2", "cloud-a", running: 2), Node("b-1", "cloud-b"), Node("c-1", "cloud-c", running: 1) };

        Assert.Equal("c-1", Choose(targets, busyA, Spec with { Pool = "cloud-a" }).NodeId);
        // No policy: the spec's pool alone, as before.
        Assert.Null(Choose(null, busyA, Spec with { Pool = "cloud-a" }).NodeId);
    }

    [Fact]
    public void A_node_whose_engine_cannot_read_the_image_is_not_chosen_and_the_reason_names_each_engine()
    {
        var nodes = new[] { Node("old", "cloud-a", engine: "criu 3.17"), Node("new", "cloud-a", running: 1, engine: "criu 4.2.1") };

        Assert.Equal("new", Choose(null, nodes, engine: "criu 4.2.1").NodeId);
        Assert.Equal("old", Choose(null, nodes, engine: "criu 3.17").NodeId);
        Assert.Equal("no node can restore checkpoint 3 (old: this node's engine (criu 3.17) is an older major version than the image's (criu 4.2.1))",
            Choose(null, [nodes[0]]).Problem);
    }

    [Fact]
    public void A_node_whose_CPU_lacks_a_flag_the_image_s_node_had_is_not_chosen_and_the_reason_names_the_flags()
    {
        // The emptier node has the older CPU: an image taken with AVX-512 would die there with SIGILL.
        var nodes = new[] { Node("epyc", "cloud-a", cpuFlags: Epyc), Node("xeon", "cloud-a", running: 1, cpuFlags: Avx512) };

        Assert.Equal("xeon", Choose(null, nodes, imageCpuFlags: Avx512).NodeId);
        Assert.Equal("epyc", Choose(null, nodes, imageCpuFlags: Epyc).NodeId);
        Assert.Equal("no node can restore checkpoint 3 (epyc: its CPU (EPYC) lacks 2 CPU flag(s) the image's node had: avx512f avx512vl)",
            Choose(null, [nodes[0]], imageCpuFlags: Avx512).Problem);
    }

    [Fact]
    public void What_a_node_or_an_image_does_not_report_is_not_held_against_the_node()
    {
        // An agent from before CPU flags were reported, or an image recorded before they were: the agent's own pre-flight still checks.
        Assert.Equal("a-1", Choose(null, [Node("a-1", "cloud-a", cpuFlags: null)], imageCpuFlags: Avx512).NodeId);
        Assert.Equal("a-1", Choose(null, [Node("a-1", "cloud-a", cpuFlags: Epyc)], imageCpuFlags: []).NodeId);
    }
}
