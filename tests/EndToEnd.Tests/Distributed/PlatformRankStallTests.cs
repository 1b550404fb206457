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

    /// <summary>A ring of two ranks with a 4 s stall threshold, once both run and their agents sampled them.</summary>
    private async Task<(string Id, JobView Running)> RunRingAsync(int rounds)
    {
        var submitted = await Api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("ring"),
            args = new[] { "--rounds", rounds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--hop-ms", "30" },
            pool = RankStallCluster.Pool,
            ranks = 2,
            stallThresholdSeconds = 4,
        });
        _jobs.Add(submitted.JobId);
        // Each rank's agent samples it: its process state reaches the job once the rank runs.
        return (submitted.JobId, await Api.WaitForJobAsync(submitted.JobId, j => j.Status == JobStatus.Running && j.Ranks.All(r => r.ProcessState is not null),
            Patience, "running with rank samples"));
    }

    [Fact]
    public async Task A_SIGSTOPped_rank_stalls_its_job_naming_that_rank_and_its_node_and_the_stall_ends_after_SIGCONT()
    {
        var (id, sampled) = await RunRingAsync(rounds: 1_000_000);
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

    [Fact]
    public async Task A_stalled_ring_with_a_coordinated_checkpoint_is_stopped_and_restored_by_its_policy_and_completes_with_the_right_sum()
    {
        const int rounds = 250;
        var (id, running) = await RunRingAsync(rounds);
        var rank0 = running.Ranks[0];
        await RankRuns.UntilAsync(() => RankRuns.LastRound(cluster.RankOutput(rank0.NodeId, id, 0, 0)), r => r >= 3, () => "round 3 at rank 0");
        var sequence = await Api.CheckpointAsync(id);
        await Api.WaitForJobAsync(id, j => j.Checkpoints.Count == 1 && j.PendingCheckpoint is null, Patience, "checkpointed");
        var stopped = running.Ranks[1];
        var pid = await RankRuns.UntilAsync(() => cluster.RankPid(stopped.NodeId, id, 1), p => p is not null, () => $"the PID of rank 1 on {stopped.NodeId}");

        // The default policy restores a stalled job from its newest checkpoint: for a ring, every rank is stopped first.
        JobProcesses.Signal(pid!.Value, JobProcesses.SIGSTOP);
        var types = await RankRuns.UntilAsync(async () => (await Api.GetEventsAsync(id)).Select(e => e.Type).ToList(), t => t.Contains("RanksRestored"),
            () => "the ranks restored after the stall");
        Assert.Equal(["JobStalled", "RecoveryPolicyApplied", "DistributedRestorePlanned", "JobExited", "RestoreRequested", "JobRestored", "RanksRestored"],
            // The timeline is newest first.
            types.AsEnumerable().Reverse().SkipWhile(t => t != "JobStalled").Where(t => t is not ("HeartbeatRecorded" or "ProgressReported" or "RankActivityRecorded" or "CheckpointCopied")));
        var restored = await Api.WaitForJobAsync(id, j => j.Status == JobStatus.Running && !j.Stalled && j.Ranks.All(r => r.State == RankState.Running), Patience, "running again");
        Assert.False(File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal),
            "the stopped rank's process was ended before its checkpoint came back");

        var done = await Api.WaitForJobAsync(id, j => j.Status is JobStatus.Completed or JobStatus.Failed, Patience, "finished");
        Assert.Equal((JobStatus.Completed, 0), (done.Status, done.ExitCode));
        var output = cluster.RankOutput(restored.Ranks[0].NodeId, id, 0, 1);
        Assert.Equal($"rank 0 done rounds {rounds} value {rounds * 3}", output[^1]);
        Assert.True(RankRuns.FirstRound(output) > 3, $"the restored ring went on from checkpoint {sequence}, not from the start (first round {RankRuns.FirstRound(output)})");
    }
}
