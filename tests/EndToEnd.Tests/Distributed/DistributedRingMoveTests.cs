using Caas.Capture.Agent.Ranks;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Distributed;
using static Caas.EndToEnd.Tests.Distributed.RankRuns;

namespace Caas.EndToEnd.Tests.Distributed;

/// <summary>
/// A ring of three ranks on three real agent processes, checkpointed as one with real CRIU, every rank killed, and
/// restored on three OTHER agents: each rank's signed bundle moves from the agent that dumped it to its new agent with
/// the agents' own transfer, is verified there, and the rank comes back at its own address in a fresh namespace on the
/// new node, its TCP connections to its peers intact. The ring finishes with the sum it would have had uninterrupted.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class DistributedRingMoveTests(MovingRingCluster cluster) : IClassFixture<MovingRingCluster>
{
    private const int Size = 3;

    /// <summary>Rank r on node <paramref name="firstNode"/> + r, always at the same address.</summary>
    private List<RankPlacement> On(int firstNode) =>
        [.. Enumerable.Range(0, Size).Select(r => new RankPlacement(r, cluster.NodeIds[firstNode + r], cluster.AddressOf(r)))];

    private string RankDirectory(string nodeId, string jobId, int rank) => RankRuns.RankDirectory(cluster, nodeId, jobId, rank);

    private string[] Output(string nodeId, string jobId, int rank, int generation) => Read(cluster, nodeId, jobId, rank, generation);

    /// <summary>Where an agent keeps a rank's bundle of coordinated checkpoint 1.</summary>
    private string BundleOf(string nodeId, string jobId, int rank) =>
        Path.Combine(cluster.AgentData(nodeId), "checkpoints", jobId, RankBundles.Sequence(1, rank).ToString());

    private async Task<(string JobId, List<RankPlacement> From, DistributedJobCoordinator Coordinator)> LaunchAndStopAsync(int rounds)
    {
        var jobId = cluster.NewJob();
        var from = On(0);
        var coordinator = new DistributedJobCoordinator(cluster.Bus, Patience);
        await coordinator.LaunchAsync(jobId, from, RepositoryLayout.NativeBinary("ring"), ["--rounds", rounds.ToString(), "--hop-ms", "30"]);
        await UntilAsync(() => LastRound(Output(from[0].NodeId, jobId, 0, 0)), r => r >= 3, () => "round 3 at rank 0");
        await coordinator.CheckpointAsync(jobId, 1, from, stop: true);
        Assert.Empty(DistributedCluster.NamespacesOf(jobId));
        return (jobId, from, coordinator);
    }

    [Fact]
    public async Task A_ring_checkpointed_on_three_agents_killed_and_restored_on_three_others_finishes_with_the_right_sum()
    {
        // Long enough (about 10 s after round 3) that a loaded machine's slow lock requests still find the ring running.
        const int rounds = 120;
        var (jobId, from, coordinator) = await LaunchAndStopAsync(rounds);
        var atCheckpoint = LastRound(Output(from[0].NodeId, jobId, 0, 0))!.Value;
        Assert.True(atCheckpoint < rounds, $"the ring was checkpointed before it finished (round {atCheckpoint})");
        var to = On(Size);

        await coordinator.RestoreElsewhereAsync(jobId, 1, from, to);

        Assert.Equal(Size, DistributedCluster.NamespacesOf(jobId).Count);
        for (var rank = 0; rank < Size; rank++)
        {
            Assert.True(File.Exists(Path.Combine(BundleOf(to[rank].NodeId, jobId, rank), "manifest.json")), $"rank {rank}'s bundle is on {to[rank].NodeId}");
            Assert.False(Directory.Exists(Path.Combine(RankDirectory(from[rank].NodeId, jobId, rank), "run-1")), $"rank {rank} was not restored on {from[rank].NodeId}");
            Assert.Equal(new JobExitStatus(0, null, null), await ExitAsync(cluster, to[rank].NodeId, jobId, rank, 1));
        }
        var restored = Output(to[0].NodeId, jobId, 0, 1);
        Assert.Equal($"rank 0 done rounds {rounds} value {rounds * 6}", restored[^1]);
        Assert.InRange(FirstRound(restored), atCheckpoint, atCheckpoint + 1);
    }

    [Fact]
    public async Task A_rank_bundle_damaged_on_the_node_that_took_it_is_refused_on_the_way_and_nothing_is_restored()
    {
        var (jobId, from, coordinator) = await LaunchAndStopAsync(rounds: 400);
        var images = Path.Combine(BundleOf(from[1].NodeId, jobId, 1), "images");
        var victim = Directory.EnumerateFiles(images).Where(f => Path.GetFileName(f).StartsWith("pages-", StringComparison.Ordinal)).OrderByDescending(f => new FileInfo(f).Length).First();
        await using (var file = File.Open(victim, FileMode.Open, FileAccess.ReadWrite))
        {
            var first = file.ReadByte();
            file.Position = 0;
            file.WriteByte((byte)(first ^ 0xFF));
        }
        var to = On(Size);

        var failure = await Assert.ThrowsAsync<DistributedCheckpointFailedException>(() => coordinator.RestoreElsewhereAsync(jobId, 1, from, to));

        Assert.True(failure.FailedRanks.SequenceEqual([1]), failure.Message);
        Assert.StartsWith($"transfer failed in rank 1: {to[1].NodeId}: ", failure.Message);
        Assert.False(Directory.Exists(BundleOf(to[1].NodeId, jobId, 1)), "the damaged bundle was not kept on the new node");
        Assert.Empty(DistributedCluster.NamespacesOf(jobId));
        Assert.All(Enumerable.Range(0, Size), r => Assert.False(Directory.Exists(Path.Combine(RankDirectory(to[r].NodeId, jobId, r), "run-1")), $"rank {r} was not restored"));
    }
}
