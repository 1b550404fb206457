using System.Net;
using Caas.Contracts.Jobs;
using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests;

/// <summary>
/// The cluster as users and operators see it: a Cluster-mode host and three agents in network namespaces in two
/// pools (<see cref="ClusterPlatform"/>). Each test ends the jobs it started, so every test begins with idle nodes.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class ClusterTests(ClusterPlatform cluster) : IClassFixture<ClusterPlatform>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private CaasApi Api => cluster.Api;

    [Fact]
    public async Task The_nodes_api_lists_the_three_agents_with_their_pools_labels_and_capacity()
    {
        var nodes = await Api.GetNodesAsync();

        Assert.Equal([("cloud-a-1", "cloud-a"), ("onprem-1", "onprem"), ("onprem-2", "onprem")], nodes.Select(n => (n.NodeId, n.Pool)));
        Assert.All(nodes, n => Assert.Equal((NodeHealth.Live, false, ClusterPlatform.SlotsPerNode, Environment.ProcessorCount), (n.Health, n.Drained, n.JobSlots, n.Cores)));
        Assert.All(nodes, n => Assert.NotNull(n.Engine));
        Assert.Equal("b", nodes.Single(n => n.NodeId == "onprem-2").Labels["zone"]);
    }

    [Fact]
    public async Task A_job_for_pool_cloud_a_runs_on_the_cloud_a_node_inside_its_network_namespace()
    {
        var job = await Api.SubmitAsync(Spec("cloud job", pool: "cloud-a"));
        try
        {
            var running = await Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Pid is not null, Patience, "running");

            Assert.Equal("cloud-a-1", running.NodeId);
            Assert.Equal(ClusterPlatform.InodeOfNamespace(cluster.Agent("cloud-a-1").NetworkNamespace), ClusterPlatform.NamespaceOfProcess(running.Pid!.Value));
            Assert.NotEqual(ClusterPlatform.NamespaceOfProcess(Environment.ProcessId), ClusterPlatform.NamespaceOfProcess(running.Pid!.Value));
        }
        finally
        {
            await EndAsync(job.JobId);
        }
    }

    [Fact]
    public async Task A_job_that_requires_a_label_runs_on_the_node_that_carries_it()
    {
        var job = await Api.SubmitAsync(Spec("zone b job", nodeLabels: new Dictionary<string, string> { ["zone"] = "b" }));
        try
        {
            Assert.Equal("onprem-2", (await Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running, Patience, "running")).NodeId);
        }
        finally
        {
            await EndAsync(job.JobId);
        }
    }

    [Fact]
    public async Task Jobs_without_a_pool_spread_over_the_idle_nodes()
    {
        await WaitForIdleNodesAsync();

        var jobs = new List<string>();
        try
        {
            for (var i = 0; i < 3; i++)
                jobs.Add((await Api.SubmitAsync(Spec($"spread {i}"))).JobId);
            var nodes = new List<string>();
            foreach (var id in jobs)
                nodes.Add((await Api.WaitForJobAsync(id, j => j.Status == JobStatus.Running, Patience, "running")).NodeId!);

            Assert.Equal(["cloud-a-1", "onprem-1", "onprem-2"], nodes.Order());
        }
        finally
        {
            foreach (var id in jobs)
                await EndAsync(id);
        }
    }

    [Fact]
    public async Task A_drained_node_keeps_its_job_gets_no_new_one_and_the_queued_job_says_why_until_it_is_undrained()
    {
        var before = await Api.SubmitAsync(Spec("before the drain", pool: "cloud-a"));
        string? queued = null;
        try
        {
            await Api.WaitForJobAsync(before.JobId, j => j.Status == JobStatus.Running, Patience, "running");

            var drain = await Api.Http.PostAsync("/api/v1/nodes/cloud-a-1/drain", null);
            Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
            Assert.True((await Api.GetNodesAsync()).Single(n => n.NodeId == "cloud-a-1").Drained);

            var after = await Api.SubmitAsync(Spec("after the drain", pool: "cloud-a"));
            queued = after.JobId;
            Assert.Equal((JobStatus.Queued, null), (after.Status, after.NodeId));
            Assert.Equal("waiting for a node: every live node in pool 'cloud-a' is drained (cloud-a-1)", after.StatusReason);
            // Several heartbeats later: still queued, and the job that was there keeps running.
            await Task.Delay(3 * ClusterPlatform.HeartbeatInterval);
            Assert.Equal(JobStatus.Queued, (await Api.GetJobAsync(queued)).Status);
            Assert.Equal(JobStatus.Running, (await Api.GetJobAsync(before.JobId)).Status);

            Assert.Equal(HttpStatusCode.OK, (await Api.Http.PostAsync("/api/v1/nodes/cloud-a-1/undrain", null)).StatusCode);
            Assert.Equal("cloud-a-1", (await Api.WaitForJobAsync(queued, j => j.Status == JobStatus.Running, Patience, "running once undrained")).NodeId);
        }
        finally
        {
            await Api.Http.PostAsync("/api/v1/nodes/cloud-a-1/undrain", null);
            await EndAsync(before.JobId);
            if (queued is not null)
                await EndAsync(queued);
        }
    }

    [Fact]
    public async Task A_job_on_an_agent_in_a_network_namespace_is_checkpointed_and_restored_there_with_its_progress()
    {
        var job = await Api.SubmitAsync(Spec("netns checkpoint", pool: "onprem"));
        try
        {
            var running = await Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running with progress");
            var sequence = await Api.CheckpointAsync(job.JobId);
            var checkpoint = (await Api.WaitForJobAsync(job.JobId, j => j.Checkpoints.Any(c => c.Sequence == sequence), Patience, $"checkpoint {sequence} taken"))
                .Checkpoints.Single(c => c.Sequence == sequence);
            Assert.Equal(running.NodeId, checkpoint.NodeId);

            await Api.KillAsync(job.JobId);
            await Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Stopped, Patience, "stopped by the kill");
            Assert.Equal(HttpStatusCode.Accepted, (await Api.PostRestoreAsync(job.JobId, sequence)).StatusCode);
            var restored = await Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress >= checkpoint.Progress, Patience, "running again from the checkpoint");
            await Api.WaitForJobAsync(job.JobId, j => j.Progress > restored.Progress, Patience, "making progress after the restore");

            Assert.Equal(running.NodeId, restored.NodeId);
            Assert.Equal(ClusterPlatform.InodeOfNamespace(cluster.Agent(running.NodeId!).NetworkNamespace), ClusterPlatform.NamespaceOfProcess(restored.Pid!.Value));
        }
        finally
        {
            await EndAsync(job.JobId);
        }
    }

    [Fact]
    public async Task Two_servers_are_one_orleans_cluster_and_each_shows_the_jobs_submitted_through_the_other()
    {
        var job = await cluster.SecondHost.Api.SubmitAsync(Spec("via the second server"));
        try
        {
            var seen = await Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running, seen from the first server");
            var later = await cluster.SecondHost.Api.WaitForJobAsync(job.JobId, j => j.Progress > seen.Progress, Patience, "moving, seen from the second server");

            Assert.Equal(seen.NodeId, later.NodeId);
            Assert.Contains((await Api.ListJobsAsync()).Items, j => j.JobId == job.JobId);
            await using var connection = new Npgsql.NpgsqlConnection(cluster.DatabaseConnectionString);
            await connection.OpenAsync();
            await using var silos = new Npgsql.NpgsqlCommand("SELECT count(*) FROM orleans_membership WHERE status = 3", connection);
            Assert.Equal(2L, await silos.ExecuteScalarAsync());
        }
        finally
        {
            await EndAsync(job.JobId);
        }
    }

    [Fact]
    public async Task Both_cluster_servers_are_ready_with_their_event_store_silo_and_broker()
    {
        foreach (var server in new[] { cluster.Host, cluster.SecondHost })
        {
            using var anonymous = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(30) };
            var ready = await anonymous.GetAsync("/health/ready");
            Assert.Equal((HttpStatusCode.OK, "Healthy"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        }
    }

    [Fact]
    public void No_log_of_the_host_or_the_agents_shows_a_password()
    {
        var logs = new[] { cluster.Host.ReadLog(), cluster.SecondHost.ReadLog() }.Concat(cluster.Agents.Select(a => a.ReadLog())).ToArray();

        Assert.Contains("mode     Cluster: events in PostgreSQL", logs[0]);
        foreach (var secret in cluster.Secrets)
            Assert.All(logs, log => Assert.DoesNotContain(secret, log));
    }

    private static object Spec(string name, string? pool = null, IReadOnlyDictionary<string, string>? nodeLabels = null) => new
    {
        command = RepositoryLayout.NativeBinary("counter"),
        args = new[] { "--target", CounterJob.Target.ToString(), "--rate", "20" },
        name,
        pool,
        nodeLabels = nodeLabels ?? new Dictionary<string, string>(),
        stallThresholdSeconds = 300,
    };

    private async Task EndAsync(string jobId)
    {
        try
        {
            var job = await Api.GetJobAsync(jobId);
            if (job.Status is JobStatus.Running or JobStatus.Restoring)
            {
                await Api.KillAsync(jobId);
                await Api.WaitForJobAsync(jobId, j => j.Status is not (JobStatus.Running or JobStatus.Restoring), Patience, "ended");
            }
        }
        catch (Exception error) when (error is ApiRejectedException or TimeoutException)
        {
            // The fixture ends every job process by its PID file when the cluster stops.
        }
    }

    /// <summary>
    /// Waits until no node runs a job, and has not for a few heartbeats: a placement whose launch and another job's
    /// end fell into one heartbeat interval still counts for up to two more heartbeats (NodeRoster.PendingForHeartbeats).
    /// </summary>
    private async Task WaitForIdleNodesAsync()
    {
        var deadline = DateTime.UtcNow + Patience;
        var idleSince = DateTime.UtcNow;
        while (DateTime.UtcNow - idleSince < 4 * ClusterPlatform.HeartbeatInterval)
        {
            if ((await Api.GetNodesAsync()).Any(n => n.RunningJobs > 0))
                idleSince = DateTime.UtcNow;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("the cluster's nodes did not become idle");
            await Task.Delay(ClusterPlatform.HeartbeatInterval / 4);
        }
    }
}
