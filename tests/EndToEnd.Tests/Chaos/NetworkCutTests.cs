using Caas.Contracts.Jobs;
using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests.Chaos;

/// <summary>An agent's network cut (link down in its namespace) past its timeout, then restored.</summary>
[Trait("Category", "Chaos")]
[Collection(StandaloneCollection.Name)]
public sealed class NetworkCutTests(SeparateProcessCluster cluster) : IClassFixture<SeparateProcessCluster>
{
    [Fact]
    public async Task A_node_cut_off_past_its_timeout_is_lost_and_when_its_link_returns_it_is_live_again_with_its_job_running_once()
    {
        var job = await ClusterChaosJobs.StartCheckpointedAsync(cluster, "network cut", "cloud-a", TimeSpan.FromMinutes(5));
        var acknowledged = await ClusterChaosJobs.AcknowledgedAsync(cluster, job);

        cluster.SetLink("cloud-a-1", up: false);
        try
        {
            await WaitForHealthAsync("cloud-a-1", NodeHealth.Lost);
            // The job itself never stopped: cut off is not dead.
            Assert.Single(cluster.LiveProcessesOf(job.JobId));
        }
        finally
        {
            cluster.SetLink("cloud-a-1", up: true);
        }
        try
        {
            await WaitForHealthAsync("cloud-a-1", NodeHealth.Live);
            await ChaosInvariants.AssertHoldAsync(cluster, acknowledged);
            var after = await cluster.Api.GetJobAsync(job.JobId);
            Assert.Equal((JobStatus.Running, "cloud-a-1"), (after.Status, after.NodeId));
        }
        finally
        {
            await ClusterChaosJobs.KillAllAsync(cluster, job);
        }
    }

    private async Task WaitForHealthAsync(string nodeId, NodeHealth health)
    {
        var deadline = DateTime.UtcNow + ChaosInvariants.Patience;
        while ((await cluster.Api.GetNodesAsync()).Single(n => n.NodeId == nodeId).Health != health)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{nodeId} was not {health} within {ChaosInvariants.Patience}");
            await Task.Delay(250);
        }
    }
}
