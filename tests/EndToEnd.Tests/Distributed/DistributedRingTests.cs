using Caas.Capture.Agent.Ranks;
using Caas.Capture.Engine;
using static Caas.EndToEnd.Tests.Distributed.RankRuns;

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

    private List<RankPlacement> Placements() =>
        [.. Enumerable.Range(0, Size).Select(r => new RankPlacement(r, cluster.NodeIds[r], cluster.AddressOf(r)))];

    [Fact]
    public async Task A_ring_across_three_agents_checkpointed_killed_and_restored_finishes_with_the_right_sum()
    {
        // Long enough that a slow lock step on a loaded machine still finds the ring running (about 11 s of hops).
        const int rounds = 120;
        var jobId = cluster.NewJob();
        var placements = Placements();
        var coordinator = new DistributedJobCoordinator(cluster.Bus, Patience);
        var membersBefore = cluster.BridgeMembers();

        await coordinator.LaunchAsync(jobId, placements, RepositoryLayout.NativeBinary("ring"), ["--rounds", rounds.ToString(), "--hop-ms", "30"]);
        await UntilAsync(() => LastRound(Read(cluster, cluster.NodeIds[0], jobId, 0, 0)), r => r >= 3, () => "round 3 at rank 0");
        Assert.Equal(Size, DistributedCluster.NamespacesOf(jobId).Count);

        var result = await coordinator.CheckpointAsync(jobId, 1, placements, stop: true);

        Assert.Equal(Size, result.Ranks.Count);
        Assert.Empty(DistributedCluster.NamespacesOf(jobId));
        Assert.Equal(membersBefore, cluster.BridgeMembers());
        var atCheckpoint = LastRound(Read(cluster, cluster.NodeIds[0], jobId, 0, 0))!.Value;
        Assert.True(atCheckpoint < rounds, $"the ring was checkpointed before it finished (round {atCheckpoint})");

        await coordinator.RestoreAsync(jobId, 1, placements);

        Assert.Equal(Size, DistributedCluster.NamespacesOf(jobId).Count);
        for (var rank = 0; rank < Size; rank++)
        {
            Assert.Equal(new JobExitStatus(0, null, null), await ExitAsync(cluster, cluster.NodeIds[rank], jobId, rank, 1));
        }
        var restored = Read(cluster, cluster.NodeIds[0], jobId, 0, 1);
        Assert.Equal($"rank 0 done rounds {rounds} value {rounds * 6}", restored[^1]);
        Assert.InRange(FirstRound(restored), atCheckpoint, atCheckpoint + 1);
    }
}
