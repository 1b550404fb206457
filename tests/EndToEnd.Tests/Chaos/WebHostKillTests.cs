using Caas.Contracts.Jobs;
using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests.Chaos;

/// <summary>kill -9 of the web host: the silos and agents go on recording, and a new web host shows everything.</summary>
[Trait("Category", "Chaos")]
[Collection(StandaloneCollection.Name)]
public sealed class WebHostKillTests(SeparateProcessCluster cluster) : IClassFixture<SeparateProcessCluster>
{
    [Fact]
    public async Task Jobs_keep_running_and_recording_while_the_web_host_is_dead_and_a_restarted_web_host_shows_them_whole()
    {
        var onprem = await ClusterChaosJobs.StartCheckpointedAsync(cluster, "web kill onprem", "onprem", TimeSpan.FromMinutes(5));
        var cloud = await ClusterChaosJobs.StartCheckpointedAsync(cluster, "web kill cloud", "cloud-a", TimeSpan.FromMinutes(5));
        var acknowledged = await ClusterChaosJobs.AcknowledgedAsync(cluster, onprem, cloud);
        var ingested = await cluster.IngestedAsync();

        await cluster.Web.KillAsync();

        // With no web host at all, the silos still record what the agents report.
        var deadline = DateTime.UtcNow + ChaosInvariants.Patience;
        while (await cluster.IngestedAsync() <= ingested)
        {
            Assert.True(DateTime.UtcNow < deadline, "the silos recorded no heartbeat while the web host was dead");
            await Task.Delay(500);
        }
        await cluster.StartWebAsync();
        try
        {
            await ChaosInvariants.AssertHoldAsync(cluster, acknowledged);
            foreach (var job in new[] { onprem, cloud })
                Assert.Equal(JobStatus.Running, (await cluster.Api.GetJobAsync(job.JobId)).Status);
        }
        finally
        {
            await ClusterChaosJobs.KillAllAsync(cluster, onprem, cloud);
        }
    }
}
