using Caas.Capture.Agent.Ranks;
using Caas.Capture.Engine;
using static Caas.EndToEnd.Tests.Distributed.RankRuns;

namespace Caas.EndToEnd.Tests.Distributed;

/// <summary>
/// A real, unmodified Open MPI program (Debian openmpi-bin, TCP transport only) with two ranks on two real agents:
/// rank 0 is mpirun, which starts its daemon for rank 1 inside rank 1 (rank_exec as its rsh agent, no ssh), so each
/// agent holds one share of the job in its own namespace. Checkpointed as one with real CRIU, both shares killed,
/// restored on two OTHER agents from their signed bundles (Open MPI's session files travel in the rank's working
/// directory), and the program finishes with the sum it would have had uninterrupted.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class DistributedMpiMoveTests(MpiCluster cluster) : IClassFixture<MpiCluster>
{
    private const int Size = 2;
    private const int Rounds = 150;

    /// <summary>
    /// One command for every rank (the agents give each its CAAS_RANK and all addresses): Open MPI's session directory
    /// goes under the rank's working directory, which the rank's bundle carries, and so do its shared-memory backing files
    /// (by default every rank's were /dev/shm/open_mpi.0000, deleted while mapped: CRIU keeps such a file in the images
    /// and re-creates it at its path on restore, and two ranks restored on one machine then collide); only the TCP
    /// transport is used. The daemon stays attached (not
    /// daemonized): it is the rank's process, and a daemon that forked away would end the rank at once.
    /// </summary>
    private static string Script(string rankExec, string program) => $"""
        export TMPDIR="$(pwd)/tmp" OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
        export OMPI_MCA_shmem=mmap OMPI_MCA_shmem_mmap_backing_file_base_dir="$TMPDIR"
        mkdir -p "$TMPDIR"
        if [ "$CAAS_RANK" = 0 ]; then
          exec mpirun --allow-run-as-root -np "$CAAS_RANKS" --host "$CAAS_RANK_ADDRESSES" \
            --mca plm_rsh_agent "{rankExec} send 7077" --mca plm_rsh_no_tree_spawn 1 --mca orte_leave_session_attached 1 \
            --mca btl tcp,self --mca btl_tcp_if_include eth0 --mca oob_tcp_if_include eth0 \
            "{program}" {Rounds}
        fi
        exec "{rankExec}" serve 7077
        """;

    private List<RankPlacement> On(int firstNode) =>
        [.. Enumerable.Range(0, Size).Select(r => new RankPlacement(r, cluster.NodeIds[firstNode + r], cluster.AddressOf(r)))];

    private string[] Read(string nodeId, string jobId, int rank, int generation, string file) => RankRuns.Read(cluster, nodeId, jobId, rank, generation, file);

    [Fact]
    public async Task An_Open_MPI_job_checkpointed_on_two_agents_killed_and_restored_on_two_others_finishes_with_the_right_sum()
    {
        var jobId = cluster.NewJob();
        var from = On(0);
        var to = On(Size);
        var coordinator = new DistributedJobCoordinator(cluster.Bus, Patience);
        var script = Script(RepositoryLayout.NativeBinary("rank_exec"), RepositoryLayout.NativeBinary("mpi_ring"));

        await coordinator.LaunchAsync(jobId, from, "/bin/sh", ["-c", script]);
        await UntilAsync(() => LastRound(Read(from[0].NodeId, jobId, 0, 0, "stdout.log")), r => r >= 5,
            () => $"round 5 of the MPI job ({string.Join(" | ", Read(from[0].NodeId, jobId, 0, 0, "stderr.log").TakeLast(5))})");
        await coordinator.CheckpointAsync(jobId, 1, from, stop: true);
        Assert.Empty(DistributedCluster.NamespacesOf(jobId));
        var atCheckpoint = LastRound(Read(from[0].NodeId, jobId, 0, 0, "stdout.log"))!.Value;
        Assert.True(atCheckpoint < Rounds, $"the job was checkpointed before it finished (round {atCheckpoint})");

        await coordinator.RestoreElsewhereAsync(jobId, 1, from, to);

        for (var rank = 0; rank < Size; rank++)
        {
            var node = to[rank].NodeId;
            var r = rank;
            Assert.Equal(new JobExitStatus(0, null, null), await ExitAsync(cluster, node, jobId, rank, 1,
                () => $"the exit of rank {r} on {node} ({string.Join(" | ", Read(node, jobId, r, 1, "stderr.log").TakeLast(5))})"));
        }
        var restored = Read(to[0].NodeId, jobId, 0, 1, "stdout.log");
        Assert.Equal($"rank 0 done rounds {Rounds} value {Rounds * 3}", restored[^1]);
        Assert.InRange(FirstRound(restored), atCheckpoint, atCheckpoint + 1);
    }
}
