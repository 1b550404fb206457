using Caas.Contracts.Views;
using Caas.Contracts.Jobs;
using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests.Chaos;

/// <summary>A restart of the cluster's RabbitMQ while heartbeats flow (a private node: the system's is shared).</summary>
[Trait("Category", "Chaos")]
[Collection(StandaloneCollection.Name)]
public sealed class RabbitMqRestartTests(PrivateServersCluster cluster) : IClassFixture<PrivateServersCluster>
{
    [Fact]
    public async Task After_the_broker_restarts_every_process_reconnects_heartbeats_are_recorded_again_and_nothing_acknowledged_is_lost() =>
        await ServerRestart.RunAsync(cluster, () => cluster.RabbitMq!.RestartAsync(TimeSpan.FromSeconds(3)));
}

/// <summary>A restart of the cluster's PostgreSQL while heartbeats flow (a private server: the system's is shared).</summary>
[Trait("Category", "Chaos")]
[Collection(StandaloneCollection.Name)]
public sealed class PostgresRestartTests(PrivateServersCluster cluster) : IClassFixture<PrivateServersCluster>
{
    [Fact]
    public async Task After_the_database_crashes_and_restarts_heartbeats_are_recorded_again_and_nothing_acknowledged_is_lost() =>
        await ServerRestart.RunAsync(cluster, () => cluster.Postgres!.RestartAsync(TimeSpan.FromSeconds(3)));
}

internal static class ServerRestart
{
    public static async Task RunAsync(SeparateProcessCluster cluster, Func<Task> restart)
    {
        var onprem = await ClusterChaosJobs.StartCheckpointedAsync(cluster, "restart onprem", "onprem", TimeSpan.FromMinutes(5));
        var cloud = await ClusterChaosJobs.StartCheckpointedAsync(cluster, "restart cloud", "cloud-a", TimeSpan.FromMinutes(5));
        var acknowledged = await ClusterChaosJobs.AcknowledgedAsync(cluster, onprem, cloud);

        await restart();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            foreach (var host in cluster.Silos.Append(cluster.Web))
                Assert.False(host.HasExited, $"a host exited after the restart:\n{Tail(host.ReadLog())}");
            var afterRestart = await cluster.IngestedAsync();
            var deadline = DateTime.UtcNow + ChaosInvariants.Patience;
            while (await cluster.IngestedAsync() <= afterRestart)
            {
                Assert.True(DateTime.UtcNow < deadline, "no heartbeat was recorded after the restart");
                await Task.Delay(500);
            }
            await ChaosInvariants.AssertHoldAsync(cluster, acknowledged);
            foreach (var job in new[] { onprem, cloud })
                Assert.Equal(JobStatus.Running, (await cluster.Api.GetJobAsync(job.JobId)).Status);
            // The platform could not hear its agents while the server was down, and it blames none of them for that.
            Assert.Empty((await cluster.Api.GetAlertsAsync()).Where(a => a.Kind == AlertKind.NodeLost).Select(a => a.Message));
            // Every node heartbeats through the restarted server again.
            var deadline2 = DateTime.UtcNow + ChaosInvariants.Patience;
            IReadOnlyList<NodeStatus> nodes;
            while ((nodes = await cluster.Api.GetNodesAsync()).Any(n => n.Health != NodeHealth.Live))
            {
                Assert.True(DateTime.UtcNow < deadline2, $"not every node is live again: {string.Join(", ", nodes.Select(n => $"{n.NodeId} {n.Health}"))}");
                await Task.Delay(500);
            }
        }
        finally
        {
            await ClusterChaosJobs.KillAllAsync(cluster, onprem, cloud);
        }
    }

    private static string Tail(string log) => log.Length > 6000 ? log[^6000..] : log;
}
