using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.EndToEnd.Tests.Distributed;

/// <summary>
/// Stall per rank with real agents and real processes: a ring of two ranks runs through the platform; one rank's
/// process is stopped (SIGSTOP, by the PID its agent recorded); the job is reported stalled, naming that rank and its
/// node (a distributed job's stall only alerts), and once the rank is continued (SIGCONT) and moves, the stall ends.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class PlatformRankStallTests(RankStallCluster cluster) : IClassFixture<RankStallCluster>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);
    private readonly List<string> _jobs = [];

    private CaasApi Api => cluster.Api;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var jobId in _jobs)
            await DistributedCluster.RemoveRanksAsync(jobId, cluster.Network.Bridge);
    }

    [Fact]
    public async Task A_SIGSTOPped_rank_stalls_its_job_naming_that_rank_and_its_node_and_the_stall_ends_after_SIGCONT()
    {
        var submitted = await Api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("ring"),
            args = new[] { "--rounds", "1000000", "--hop-ms", "30" },
            pool = RankStallCluster.Pool,
            ranks = 2,
            stallThresholdSeconds = 4,
        });
        var id = submitted.JobId;
        _jobs.Add(id);
        // Each rank's agent samples it: its process state reaches the job once the rank runs.
        var sampled = await Api.WaitForJobAsync(id, j => j.Status == JobStatus.Running && j.Ranks.All(r => r.ProcessState is not null), Patience, "running with rank samples");
        Assert.False(sampled.Stalled);
        // Each node counts the rank it holds among its running jobs (its slots), in its own heartbeat.
        var deadline = DateTime.UtcNow + Patience;
        IReadOnlyList<NodeStatus> nodes;
        while ((nodes = await Api.GetNodesAsync()).Count(n => n.RunningJobs == 1) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the nodes did not count their ranks within {Patience.TotalSeconds:0} s: "
                + string.Join(", ", nodes.Select(n => $"{n.NodeId} {n.RunningJobs}")));
            await Task.Delay(200);
        }
        Assert.Equal(sampled.Ranks.Select(r => r.NodeId).Order(), nodes.Select(n => n.NodeId).Order());
        var stopped = sampled.Ranks[1];
        var pid = await RankRuns.UntilAsync(() => cluster.RankPid(stopped.NodeId, id, 1), p => p is not null, () => $"the PID of rank 1 on {stopped.NodeId}");

        JobProcesses.Signal(pid!.Value, JobProcesses.SIGSTOP);
        try
        {
            var stalled = await Api.WaitForJobAsync(id, j => j.Stalled, Patience, "stalled");
            Assert.Equal(JobStatus.Running, stalled.Status);
            Assert.Matches($@"^stalled: no activity for 00:00:\d\d \(threshold 00:00:04\) from (rank 0 on rs-\d, )?rank 1 on {stopped.NodeId} \(process stopped, state T\)$", stalled.StatusReason);
            Assert.Equal("T", stalled.Ranks[1].ProcessState);
            var alert = await Api.WaitForAlertAsync(id, a => a.Kind == AlertKind.Stalled, Patience, "a stall alert");
            // Rank 0, blocked on its read from the stopped rank, falls silent with it and may be named too (first, by rank).
            Assert.Matches($@"; stalled by (rank 0 on rs-\d, )?rank 1 on {stopped.NodeId} \(process stopped, state T\)$", alert.Message);
        }
        finally
        {
            JobProcesses.Signal(pid.Value, JobProcesses.SIGCONT);
        }

        var moving = await Api.WaitForJobAsync(id, j => !j.Stalled, Patience, "moving again after SIGCONT");
        Assert.Equal(JobStatus.Running, moving.Status);
        Assert.Null(moving.StatusReason);
        Assert.NotEqual("T", moving.Ranks[1].ProcessState);

        await Api.KillAsync(id);
        await Api.WaitForJobAsync(id, j => j.Status == JobStatus.Stopped, Patience, "stopped by the kill");
    }
}
