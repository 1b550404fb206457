using Caas.Contracts.Jobs;
using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests;

/// <summary>An agent that stops is found lost after its timeout; a cluster of its own, since the test stops one of its agents.</summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class ClusterNodeLossTests(ClusterPlatform cluster) : IClassFixture<ClusterPlatform>
{
    [Fact]
    public async Task An_agent_stopped_with_SIGTERM_is_listed_lost_after_its_timeout_and_placement_avoids_it()
    {
        var stopped = cluster.Agent("onprem-2");

        // From the SIGTERM, not from when the agent has exited: on a loaded machine its shutdown alone can outlast the timeout.
        var stoppedAt = DateTimeOffset.UtcNow;
        await stopped.StopAsync();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        IReadOnlyList<NodeStatus> nodes;
        while ((nodes = await cluster.Api.GetNodesAsync()).Single(n => n.NodeId == "onprem-2").Health != NodeHealth.Lost)
        {
            Assert.True(DateTime.UtcNow < deadline, "onprem-2 was not found lost within 60 s of its agent stopping");
            await Task.Delay(250);
        }
        // Lost only once three heartbeat intervals passed without a heartbeat; the others stay live.
        Assert.True(DateTimeOffset.UtcNow - stoppedAt >= 2 * ClusterPlatform.HeartbeatInterval, "lost sooner than its timeout");
        Assert.All(nodes.Where(n => n.NodeId != "onprem-2"), n => Assert.Equal(NodeHealth.Live, n.Health));

        var job = await cluster.Api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("counter"), args = new[] { "--target", "1000000", "--rate", "20" }, name = "after the loss", pool = "onprem",
        });
        var running = await cluster.Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running, TimeSpan.FromSeconds(60), "running");
        Assert.Equal("onprem-1", running.NodeId);
        await cluster.Api.KillAsync(job.JobId);
    }
}
