using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Component")]
public sealed class NodeDrainTests
{
    [Fact]
    public async Task A_drain_survives_a_restart_of_the_platform_and_an_undrain_too()
    {
        using var dir = new TempDirectory();
        var path = dir.File("events.db");

        await using (var firstRun = await OwnCluster.StartAsync(path))
        {
            var first = firstRun.Cluster;
            await first.NodeAlive("node-d1", pool: "drains");
            await first.NodeAlive("node-d2", pool: "drains");
            var operations = first.Silo.GetRequiredService<INodeOperations>();
            Assert.True((await operations.DrainAsync("node-d1")).Drained);
            Assert.True((await operations.DrainAsync("node-d2")).Drained);
            Assert.False((await operations.UndrainAsync("node-d2")).Drained);
        }

        await using var secondRun = await OwnCluster.StartAsync(path);
        var second = secondRun.Cluster;
        await second.NodeAlive("node-d1", pool: "drains");
        await second.NodeAlive("node-d2", pool: "drains");
        var directory = second.Client.GetGrain<INodeDirectoryGrain>(0);
        Assert.Equal([("node-d1", true), ("node-d2", false)], (await directory.List()).Select(n => (n.NodeId, n.Drained)));
        Assert.Equal(new string?[] { "node-d2", "node-d2" }, new[] { (await directory.Choose(JobEvents.Spec(pool: "drains"))).NodeId, (await directory.Choose(JobEvents.Spec(pool: "drains"))).NodeId });
        // The drains are in their own stream, in order, and not in any job's.
        Assert.Equal([NodeDrainJournal.DrainedType, NodeDrainJournal.DrainedType, NodeDrainJournal.UndrainedType],
            (await second.Store.ReadStreamAsync(NodeDrainJournal.Stream, 0, 100)).Select(e => e.Type));
    }

    [Fact]
    public async Task Draining_a_node_never_heard_of_is_refused_and_records_nothing()
    {
        using var dir = new TempDirectory();
        await using var own = await OwnCluster.StartAsync(dir.File("events.db"));
        var cluster = own.Cluster;

        var refused = await Assert.ThrowsAsync<OperationRejectedException>(() => cluster.Silo.GetRequiredService<INodeOperations>().DrainAsync("nobody"));

        Assert.Equal(RejectionKind.NotFound, refused.Kind);
        Assert.Contains("No node agent 'nobody' has registered", refused.Message);
        Assert.Empty(await cluster.Store.ReadStreamAsync(NodeDrainJournal.Stream, 0, 100));
    }
}
