using System.Net;
using Caas.Contracts.Audit;
using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests;

/// <summary>
/// Silos, the web host and agents as processes of their own (<see cref="SeparateProcessCluster"/>), as
/// `./caas up --cluster` starts them: the web host holds no grains, yet jobs submitted through it run, report and are
/// checkpointed on the agents.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class SeparateProcessClusterTests(SeparateProcessCluster cluster) : IClassFixture<SeparateProcessCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_job_submitted_through_the_web_host_runs_on_an_agent_reports_progress_and_is_checkpointed_by_the_silos()
    {
        // A silo serves once it started; it is Active in the membership table once the other confirmed it, a moment later.
        var deadline = DateTime.UtcNow + Patience;
        long active;
        while ((active = await cluster.ActiveSilosAsync()) != 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{active} silos are active in the membership table, not 2");
            await Task.Delay(250);
        }
        var ingestedBefore = await cluster.IngestedAsync();

        var job = await cluster.Api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("counter"), args = new[] { "--target", CounterJob.Target.ToString(), "--rate", "20" },
            name = "through the web host", pool = "onprem", stallThresholdSeconds = 300,
        });
        try
        {
            var running = await cluster.Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running with progress");
            Assert.StartsWith("onprem-", running.NodeId);

            var sequence = await cluster.Api.CheckpointAsync(job.JobId);
            var checkpointed = await cluster.Api.WaitForJobAsync(job.JobId, j => j.Checkpoints.Any(c => c.Sequence == sequence), Patience, $"checkpoint {sequence} taken");
            Assert.Equal(running.NodeId, checkpointed.Checkpoints.Single(c => c.Sequence == sequence).NodeId);
            Assert.Contains((await cluster.Api.ListJobsAsync()).Items, j => j.JobId == job.JobId && j.Checkpoints >= 1);

            // Each host's figures: the silos count the samples they record, the agent the checkpoint it took.
            Assert.True(await cluster.IngestedAsync() > ingestedBefore, "the silos' ingestion counter did not move while the job heartbeated");
            var agent = cluster.AgentMetrics(running.NodeId!);
            Assert.True(agent.Sum("caas_capture_checkpoint_size_bytes_count") >= 1, agent.Text);
            Assert.True(agent.Sum("caas_capture_checkpoint_size_bytes_sum") > 0, agent.Text);
        }
        finally
        {
            await cluster.Api.KillAsync(job.JobId);
        }
        await cluster.Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Stopped, Patience, "stopped by the kill");
    }

    [Fact]
    public async Task A_silo_with_no_credential_setting_refuses_an_unenrolled_agent_and_accepts_it_once_enrolled()
    {
        // The silos run with no Caas:Security:AgentCredentials setting (SeparateProcessCluster.HostSettings): the check
        // is on by default in Cluster mode too.
        var late = new ClusterNode("cs-late", "late", 14, new Dictionary<string, string>());
        var unenrolled = cluster.StartAgent(late, credential: null);

        var deadline = DateTime.UtcNow + Patience;
        while (!(await cluster.Api.GetAuditAsync(AuditActions.AgentRefused)).Any(r => r.User == "agent cs-late"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no refusal of cs-late's reports was audited within {Patience}:\n{unenrolled.ReadLog()}");
            await Task.Delay(250);
        }
        var refused = (await cluster.Api.GetAuditAsync(AuditActions.AgentRefused)).First(r => r.User == "agent cs-late");
        Assert.Equal((nameof(NodeHeartbeat), "the message carries no agent credential"), (refused.Target, refused.Reason));
        Assert.DoesNotContain(await cluster.Api.GetNodesAsync(), n => n.NodeId == "cs-late");

        // Enroll, then restart the agent with its credential in its environment, as docs/operations.md says.
        var credential = await cluster.Api.EnrollAsync("cs-late");
        await unenrolled.StopAsync();
        var enrolled = cluster.StartAgent(late, credential);
        deadline = DateTime.UtcNow + Patience;
        while ((await cluster.Api.GetNodesAsync()).SingleOrDefault(n => n.NodeId == "cs-late") is not { Health: NodeHealth.Live })
        {
            Assert.True(DateTime.UtcNow < deadline, $"enrolled cs-late did not report within {Patience}:\n{enrolled.ReadLog()}");
            await Task.Delay(250);
        }
        Assert.All(cluster.Silos.Append(cluster.Web), host => Assert.DoesNotContain(credential, host.ReadLog()));
        Assert.DoesNotContain(credential, enrolled.ReadLog());
    }

    [Fact]
    public async Task Every_host_is_ready_and_only_the_web_host_serves_the_api()
    {
        foreach (var host in cluster.Silos.Append(cluster.Web))
        {
            using var anonymous = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromSeconds(30) };
            var ready = await anonymous.GetAsync("/health/ready");
            Assert.Equal((HttpStatusCode.OK, "Healthy"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        }
        using var silo = new HttpClient { BaseAddress = cluster.Silos[0].Url, Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal(HttpStatusCode.NotFound, (await silo.GetAsync("/api/v1/jobs")).StatusCode);
        Assert.Contains("roles    silo", cluster.Silos[0].ReadLog());
        Assert.Contains("roles    web", cluster.Web.ReadLog());
        // Metrics on each host's loopback listener, never on its Caas:Url.
        foreach (var (host, metrics) in cluster.Metrics)
        {
            Assert.Equal(HttpStatusCode.OK, (await silo.GetAsync(metrics)).StatusCode);
            using var main = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromSeconds(30) };
            Assert.DoesNotContain("# TYPE", await (await main.GetAsync("/metrics")).Content.ReadAsStringAsync());
        }
        Assert.Contains("# TYPE", cluster.AgentMetrics("onprem-1").Text);
    }
}
