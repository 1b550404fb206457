using Caas.Capture.Agent.Ranks;
using Caas.Capture.Engine;

namespace Caas.EndToEnd.Tests.Distributed;

/// <summary>
/// A distributed job across three real agent processes on three "nodes" (network namespaces), over RabbitMQ: a ring of
/// three ranks, one per agent, checkpointed as one with real CRIU, all ranks killed, restored, and finishing with the
/// sum it would have had without the interruption.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class DistributedRingTests(DistributedCluster cluster) : IClassFixture<DistributedCluster>
{
    private const int Size = 3;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private List<RankPlacement> Placements() =>
        [.. Enumerable.Range(0, Size).Select(r => new RankPlacement(r, cluster.NodeIds[r], cluster.AddressOf(r)))];

    /// <summary>The output of the rank's latest generation (launch is run-0, each restore one more) on its agent.</summary>
    private string[] Output(string jobId, int rank, int generation)
    {
        var path = Path.Combine(cluster.AgentData(cluster.NodeIds[rank]), "ranks", jobId, rank.ToString(), $"run-{generation}", "stdout.log");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    private static int? LastRound(string[] output) =>
        output.Where(l => l.StartsWith("rank 0 round ", StringComparison.Ordinal)).Select(l => (int?)int.Parse(l.Split(' ')[3])).LastOrDefault();

    private static async Task<T> UntilAsync<T>(Func<T> probe, Func<T, bool> accept, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = probe();
            if (accept(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what} did not happen within {Patience.TotalSeconds:0} s");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_ring_across_three_agents_checkpointed_killed_and_restored_finishes_with_the_right_sum()
    {
        const int rounds = 40;
        var jobId = cluster.NewJob();
        var placements = Placements();
        var coordinator = new DistributedJobCoordinator(cluster.Bus, Patience);
        var membersBefore = cluster.BridgeMembers();

        await coordinator.LaunchAsync(jobId, placements, RepositoryLayout.NativeBinary("ring"), ["--rounds", rounds.ToString(), "--hop-ms", "30"]);
        await UntilAsync(() => LastRound(Output(jobId, 0, 0)), r => r >= 3, "round 3 at rank 0");
        Assert.Equal(Size, DistributedCluster.NamespacesOf(jobId).Count);

        var result = await coordinator.CheckpointAsync(jobId, 1, placements, stop: true);

        Assert.Equal(Size, result.Ranks.Count);
        Assert.Empty(DistributedCluster.NamespacesOf(jobId));
        Assert.Equal(membersBefore, cluster.BridgeMembers());
        var atCheckpoint = LastRound(Output(jobId, 0, 0))!.Value;
        Assert.True(atCheckpoint < rounds, $"the ring was checkpointed before it finished (round {atCheckpoint})");

        await coordinator.RestoreAsync(jobId, 1, placements);

        Assert.Equal(Size, DistributedCluster.NamespacesOf(jobId).Count);
        for (var rank = 0; rank < Size; rank++)
        {
            var exitFile = Path.Combine(cluster.AgentData(cluster.NodeIds[rank]), "ranks", jobId, rank.ToString(), "run-1", "exit");
            var exit = await UntilAsync(() => File.Exists(exitFile) ? JobExitStatus.Parse(File.ReadAllText(exitFile)) : null, e => e is not null, $"the exit of rank {rank}");
            Assert.Equal(new JobExitStatus(0, null, null), exit);
        }
        var restored = Output(jobId, 0, 1);
        Assert.Equal($"rank 0 done rounds {rounds} value {rounds * 6}", restored[^1]);
        var firstRestoredRound = int.Parse(restored.First(l => l.StartsWith("rank 0 round ", StringComparison.Ordinal)).Split(' ')[3]);
        Assert.InRange(firstRestoredRound, atCheckpoint, atCheckpoint + 1);
    }
}
