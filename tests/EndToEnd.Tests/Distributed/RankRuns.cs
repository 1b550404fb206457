namespace Caas.EndToEnd.Tests.Distributed;

/// <summary>What the distributed tests read of a rank's runs on the agents of a <see cref="DistributedCluster"/>, and how they wait for it.</summary>
public static class RankRuns
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>The agent's directory of the rank: cwd/, run-GEN/ (launch is run-0, each restore on that agent one more), rank.json.</summary>
    public static string RankDirectory(DistributedCluster cluster, string nodeId, string jobId, int rank) =>
        Path.Combine(cluster.AgentData(nodeId), "ranks", jobId, rank.ToString());

    /// <summary>The lines of a file of the rank's run <paramref name="generation"/> on that agent (stdout.log, stderr.log); none while it is not there.</summary>
    public static string[] Read(DistributedCluster cluster, string nodeId, string jobId, int rank, int generation, string file = "stdout.log")
    {
        var path = Path.Combine(RankDirectory(cluster, nodeId, jobId, rank), $"run-{generation}", file);
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    /// <summary>The last round rank 0 printed ("rank 0 round K value V", as the ring and mpi_ring do).</summary>
    public static int? LastRound(string[] output) =>
        output.Where(l => l.StartsWith("rank 0 round ", StringComparison.Ordinal)).Select(l => (int?)int.Parse(l.Split(' ')[3])).LastOrDefault();

    /// <summary>The first round rank 0 printed.</summary>
    public static int FirstRound(string[] output) =>
        int.Parse(output.First(l => l.StartsWith("rank 0 round ", StringComparison.Ordinal)).Split(' ')[3]);

    /// <summary>The exit status of the rank's run <paramref name="generation"/> on that agent, once it ended.</summary>
    public static async Task<Capture.Engine.JobExitStatus> ExitAsync(DistributedCluster cluster, string nodeId, string jobId, int rank, int generation, Func<string>? what = null)
    {
        var exitFile = Path.Combine(RankDirectory(cluster, nodeId, jobId, rank), $"run-{generation}", "exit");
        return (await UntilAsync(() => File.Exists(exitFile) ? Capture.Engine.JobExitStatus.Parse(File.ReadAllText(exitFile)) : null, e => e is not null,
            what ?? (() => $"the exit of rank {rank} on {nodeId}")))!;
    }

    public static Task<T> UntilAsync<T>(Func<T> probe, Func<T, bool> accept, Func<string> what) =>
        UntilAsync(() => Task.FromResult(probe()), accept, what);

    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, Func<string> what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = await probe();
            if (accept(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what()} did not happen within {Patience.TotalSeconds:0} s");
            await Task.Delay(100);
        }
    }
}
