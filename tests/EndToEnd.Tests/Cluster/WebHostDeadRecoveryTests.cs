using System.Net.Http.Json;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;
using Caas.EndToEnd.Tests.Chaos;

namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>
/// kill -9 of the web host in the split cluster, then recovery work with no web host at all: a migration it had just
/// started finishes, and a node lost meanwhile has its job restored on another node, once, by one of the two silos.
/// </summary>
[Trait("Category", "Chaos")]
[Collection(StandaloneCollection.Name)]
public sealed class WebHostDeadRecoveryTests(WeblessRecoveryCluster cluster) : IClassFixture<WeblessRecoveryCluster>
{
    private static readonly TimeSpan Patience = ChaosInvariants.Patience;

    [Fact]
    public async Task A_migration_and_a_node_loss_are_each_carried_out_once_by_the_silos_while_the_web_host_is_dead()
    {
        // Lost with its node: a job of pool onprem whose checkpoint was copied to the pool's other node.
        var lost = await ClusterChaosJobs.StartCheckpointedAsync(cluster, "lost with its node", "onprem", TimeSpan.FromMinutes(5));
        var lostNode = lost.NodeId!;
        var survivor = ClusterPlatform.Nodes.Single(n => n.Pool == "onprem" && n.NodeId != lostNode).NodeId;
        await EventuallyAsync(async () => (await cluster.Api.GetEventsAsync(lost.JobId)).Any(e => e.Summary.StartsWith("checkpoint 1 copied to node", StringComparison.Ordinal)),
            "checkpoint 1 copied off its node");
        // Migrated: a job free to run anywhere, sent to a node that stays up.
        var moving = await cluster.Api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("counter"), args = new[] { "--target", CounterJob.Target.ToString(), "--rate", "20" },
            name = "migrated while the web host is dead", stallThresholdSeconds = 300,
        });
        var source = (await cluster.Api.WaitForJobAsync(moving.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running")).NodeId!;
        var target = new[] { "cloud-a-1", survivor }.First(n => n != source);
        try
        {
            var started = await cluster.Api.Http.PostAsJsonAsync($"/api/v1/jobs/{moving.JobId}/migrate", new { node = target });
            Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());

            await cluster.Web.KillAsync();

            // With no web host: the migration ends on its target, and the lost node's job comes back on the survivor.
            await EventuallyAsync(() => Task.FromResult(LiveOn(target, moving.JobId) == 1 && Copies(moving.JobId) == 1),
                $"the migrated job running on {target} only");
            await cluster.KillAgentWithItsJobsAsync(lostNode);
            await EventuallyAsync(() => Task.FromResult(LiveOn(survivor, lost.JobId) == 1), $"the lost node's job restored on {survivor}");
            FollowProgress(lostNode, survivor);

            await cluster.StartWebAsync();
            var migrated = await cluster.Api.WaitForJobAsync(moving.JobId, j => j.Status == JobStatus.Running && j.NodeId == target, Patience, $"running on {target}");
            Assert.Single(await IncidentsAsync(moving.JobId));
            var restored = await cluster.Api.WaitForJobAsync(lost.JobId, j => j.Status == JobStatus.Running && j.NodeId == survivor, Patience, $"running on {survivor}");
            var incident = Assert.Single(await IncidentsAsync(lost.JobId));
            Assert.Contains($"node {lostNode} lost", incident.Reason);
            Assert.Single(await cluster.Api.GetEventsAsync(lost.JobId), e => e.Type == "NodeLostWithJob");
            Assert.Equal((1, 1), (Copies(lost.JobId), Copies(moving.JobId)));
            Assert.NotEqual(source, migrated.NodeId);
            Assert.NotEqual(lostNode, restored.NodeId);
        }
        finally
        {
            if (cluster.Agent(lostNode).HasExited)
                cluster.RestartAgent(lostNode);
            if (cluster.Web.HasExited)
                await cluster.StartWebAsync();
            await ClusterChaosJobs.KillAllAsync(cluster, lost, moving);
        }
    }

    /// <summary>
    /// Live processes of the job recorded by the node's agent. A restored process keeps the environment of the node it
    /// was started on, so it is recognised by its job id, not by the agent's data directory.
    /// </summary>
    [Fact]
    public async Task Each_host_names_its_role_in_its_metrics()
    {
        foreach (var (host, metrics) in cluster.Metrics)
        {
            var expected = cluster.Silos.Contains(host) ? "caas-silo" : "caas-web";
            var text = (await PrometheusScrape.FromAsync(metrics)).Text;
            Assert.True(text.Contains($"service_name=\"{expected}\"", StringComparison.Ordinal), TargetInfo(text));
        }
        var agent = cluster.AgentMetrics("onprem-1").Text;
        Assert.True(agent.Contains("service_name=\"caas-agent\"", StringComparison.Ordinal), TargetInfo(agent));
    }

    private static string TargetInfo(string scrape) => string.Join("\n", scrape.Split('\n').Where(line => line.StartsWith("target_info", StringComparison.Ordinal)));

    private int LiveOn(string nodeId, string jobId) =>
        Directory.EnumerateFiles(cluster.Agent(nodeId).DataDirectory, "pid", SearchOption.AllDirectories)
            .Where(file => file.Contains($"/{jobId}/", StringComparison.Ordinal))
            .Select(file => int.TryParse(File.ReadAllText(file).Trim(), out var pid) ? pid : 0)
            .Where(pid => pid > 1 && IsLiveProcessOf(pid, jobId))
            .Distinct()
            .Count();

    private static bool IsLiveProcessOf(int pid, string jobId)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0').Contains($"CAAS_JOB_ID={jobId}")
                && !File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].TrimStart().StartsWith('Z');
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// The restored job reports progress to the socket path of the node it started on; on real machines that path is
    /// the new node's agent, here all agents share one file system, so the lost node's socket is pointed at it.
    /// </summary>
    private void FollowProgress(string lostNodeId, string newNodeId)
    {
        var old = Path.Combine(cluster.Agent(lostNodeId).DataDirectory, "agent", "progress.sock");
        File.Delete(old);
        File.CreateSymbolicLink(old, Path.Combine(cluster.Agent(newNodeId).DataDirectory, "agent", "progress.sock"));
    }

    /// <summary>The job's live processes on every node.</summary>
    private int Copies(string jobId) => ClusterPlatform.Nodes.Sum(n => LiveOn(n.NodeId, jobId));

    private async Task<IReadOnlyList<RecoveryIncident>> IncidentsAsync(string id) =>
        (await cluster.Api.Http.GetFromJsonAsync<List<RecoveryIncident>>($"/api/v1/jobs/{id}/incidents", CaasApi.Json))!;

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not within {Patience.TotalSeconds} s: {what}");
            await Task.Delay(250);
        }
    }
}
