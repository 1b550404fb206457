using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Monitoring.Grains.Nodes;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Component")]
public sealed class NodeDirectoryGrainTests(MonitoringCluster cluster) : IClassFixture<MonitoringCluster>
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private INodeDirectoryGrain Directory => cluster.Client.GetGrain<INodeDirectoryGrain>(0);
    private INodeLivenessGrain Liveness => cluster.Client.GetGrain<INodeLivenessGrain>(0);

    private static JobSpec SpecFor(string pool) => JobEvents.Spec(pool: pool);

    [Fact]
    public async Task A_silent_node_is_lost_after_the_timeout_and_only_then_no_longer_offered_for_placement()
    {
        await cluster.NodeHeartbeat("lost-1", pool: "lost-pool", slots: 100);
        var lastSeen = cluster.Clock.GetUtcNow();

        cluster.Clock.Advance(NodeLivenessDetector.LostAfter);
        Assert.Equal("lost-1", (await Directory.Choose(SpecFor("lost-pool"))).NodeId);
        Assert.Equal(NodeHealth.Live, await cluster.Health("lost-1"));

        cluster.Clock.Advance(Tick);
        Assert.Null((await Directory.Choose(SpecFor("lost-pool"))).NodeId);
        var node = (await Liveness.Liveness()).Single(n => n.NodeId == "lost-1");
        Assert.Equal((NodeHealth.Lost, lastSeen + NodeLivenessDetector.LostAfter, lastSeen), (node.Health, node.Since, node.LastSeenAt));
        Assert.Equal([new NodeLivenessChange("lost-1", NodeHealth.Lost, lastSeen + NodeLivenessDetector.LostAfter)],
            (await Liveness.Changes()).Where(c => c.NodeId == "lost-1"));
        // The portal's node list still shows it, with when it was last heard from.
        Assert.Equal(lastSeen, (await Directory.List()).Single(n => n.NodeId == "lost-1").LastHeartbeatAt);
    }

    [Fact]
    public async Task A_lost_node_that_comes_back_gets_work_again_only_after_its_probation()
    {
        await cluster.NodeHeartbeat("back-1", pool: "back-pool", slots: 100);
        cluster.Clock.Advance(NodeLivenessDetector.LostAfter + TimeSpan.FromSeconds(1));
        Assert.Equal(NodeHealth.Lost, await cluster.Health("back-1"));

        await cluster.NodeHeartbeat("back-1", pool: "back-pool", slots: 100);
        var returnedAt = cluster.Clock.GetUtcNow();
        var returning = (await Liveness.Liveness()).Single(n => n.NodeId == "back-1");
        Assert.Equal((NodeHealth.Returning, returnedAt + NodeLivenessDetector.Probation), (returning.Health, returning.LiveFrom));
        for (var beat = 1; beat <= 5; beat++)
        {
            cluster.Clock.Advance(NodeLivenessDetector.AssumedHeartbeatInterval);
            await cluster.NodeHeartbeat("back-1", pool: "back-pool", slots: 100);
            Assert.Null((await Directory.Choose(SpecFor("back-pool"))).NodeId);
        }

        cluster.Clock.Advance(NodeLivenessDetector.AssumedHeartbeatInterval - Tick);
        Assert.Null((await Directory.Choose(SpecFor("back-pool"))).NodeId);
        cluster.Clock.Advance(Tick);
        Assert.Equal("back-1", (await Directory.Choose(SpecFor("back-pool"))).NodeId);
        Assert.Equal([NodeHealth.Lost, NodeHealth.Live], (await Liveness.Changes()).Where(c => c.NodeId == "back-1").Select(c => c.Health));
    }

}
