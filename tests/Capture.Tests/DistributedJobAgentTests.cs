using Caas.Capture.Agent.Jobs;
using Caas.Capture.Agent.Ranks;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Distributed;
using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using MassTransit;

namespace Caas.Capture.Tests;

/// <summary>
/// A ring of three ranks (the native ring workload) on three real node agents, one rank each, driven over the bus by
/// <see cref="DistributedJobCoordinator"/>: every agent launches its rank in a namespace of its own with the address
/// the platform gave, and locks, dumps, unlocks, stops and restores it with real CRIU when asked.
/// </summary>
[Trait("Category", "EndToEnd")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DistributedJobAgentTests : IAsyncLifetime
{
    private const int Size = 3;
    private RankAgents _agents = null!;
    private DistributedJobCoordinator _coordinator = null!;

    public async Task InitializeAsync()
    {
        _agents = await RankAgents.StartAsync(Size);
        _coordinator = new DistributedJobCoordinator(_agents.Bus, TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync() => await _agents.DisposeAsync();

    /// <summary>Rank r on agent r, at .10+r of the fabric.</summary>
    private List<RankPlacement> Placements() =>
        [.. Enumerable.Range(0, Size).Select(r => new RankPlacement(r, RankAgents.NodeId(r), _agents.Fabric.AddressOf(r)))];

    private async Task<(string JobId, List<RankPlacement> Placements)> LaunchRingAsync(int rounds)
    {
        var jobId = _agents.NewJob();
        var placements = Placements();
        await _coordinator.LaunchAsync(jobId, placements, NativeBinaries.Ring, ["--rounds", rounds.ToString(), "--hop-ms", "30"]);
        await Eventually.Get(() => LastRound(Output(jobId, 0)), r => r >= 3, TimeSpan.FromSeconds(30), "round 3 at rank 0");
        return (jobId, placements);
    }

    private string[] Output(string jobId, int rank)
    {
        var path = Path.Combine(_agents.Ranks(rank).StateDirectory(jobId, rank), "stdout.log");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    private static int? LastRound(string[] output) =>
        output.Where(l => l.StartsWith("rank 0 round ", StringComparison.Ordinal)).Select(l => (int?)int.Parse(l.Split(' ')[3])).LastOrDefault();

    private async Task AllExitCleanlyAsync(string jobId)
    {
        for (var rank = 0; rank < Size; rank++)
        {
            var state = _agents.Ranks(rank).StateDirectory(jobId, rank);
            Assert.Equal(new JobExitStatus(0, null, null), await Eventually.Get(() => _agents.Engine(rank).ReadExit(state), _ => true,
                TimeSpan.FromSeconds(60), $"the exit of rank {rank}"));
        }
    }

    [Fact]
    public async Task A_ring_across_three_agents_checkpointed_as_one_stopped_and_restored_finishes_with_the_right_sum()
    {
        const int rounds = 40;
        var (jobId, placements) = await LaunchRingAsync(rounds);
        Assert.Equal(Size, _agents.NamespacesOf(jobId).Count);

        var result = await _coordinator.CheckpointAsync(jobId, 1, placements, stop: true);

        Assert.Equal(Size, result.Ranks.Count);
        Assert.All(result.Ranks, t => Assert.True(t.Dump > TimeSpan.Zero, "each agent reports its rank's dump time"));
        Assert.All(Enumerable.Range(0, Size), r => Assert.Null(_agents.Ranks(r).Running(jobId, r)));
        Assert.Empty(_agents.NamespacesOf(jobId));
        Assert.Empty(_agents.Fabric.Members());
        var atCheckpoint = LastRound(Output(jobId, 0))!.Value;
        Assert.True(atCheckpoint < rounds, $"the ring was checkpointed before it finished (round {atCheckpoint})");

        await _coordinator.RestoreAsync(jobId, 1, placements);

        Assert.All(Enumerable.Range(0, Size), r => Assert.NotNull(_agents.Ranks(r).Running(jobId, r)));
        Assert.Equal(Size, _agents.Fabric.Members().Count);
        await AllExitCleanlyAsync(jobId);
        var restored = Output(jobId, 0);
        Assert.Equal($"rank 0 done rounds {rounds} value {rounds * 6}", restored[^1]);
        var firstRestoredRound = int.Parse(restored.First(l => l.StartsWith("rank 0 round ", StringComparison.Ordinal)).Split(' ')[3]);
        Assert.InRange(firstRestoredRound, atCheckpoint, atCheckpoint + 1);
    }

    [Fact]
    public async Task Each_agent_samples_the_rank_it_runs_for_its_heartbeat_counts_it_as_a_running_job_and_sees_it_stopped()
    {
        var (jobId, _) = await LaunchRingAsync(rounds: 100_000);
        RankSample SampleOf(int rank) => Assert.Single(_agents.Ranks(rank).Sample(), s => s.Sample.JobId == jobId);

        for (var rank = 0; rank < Size; rank++)
        {
            var sample = SampleOf(rank);
            Assert.Equal((rank, 0, _agents.Ranks(rank).Running(jobId, rank)!.Pid), (sample.Rank, sample.Generation, sample.Sample.Pid));
            Assert.Equal(1, _agents.Ranks(rank).RunningCount);
        }
        // The ring reads its token byte by byte: the rank's I/O counters grow while it runs.
        var first = SampleOf(1).Sample;
        await Eventually.Get(() => SampleOf(1).Sample, s => s.ReadBytes > first.ReadBytes, TimeSpan.FromSeconds(30), "rank 1's read bytes growing");

        var pid = first.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        RankFabric.Run("kill", "-STOP", pid);
        try
        {
            await Eventually.Get(() => SampleOf(1).Sample.State, state => state == "T", TimeSpan.FromSeconds(30), "rank 1 sampled as stopped");
        }
        finally
        {
            RankFabric.Run("kill", "-CONT", pid);
        }
    }

    [Fact]
    public async Task An_agent_restarted_while_its_rank_runs_still_holds_it_for_the_next_checkpoint_and_restore()
    {
        const int rounds = 40;
        var (jobId, placements) = await LaunchRingAsync(rounds);

        await _agents.RestartAsync(1);

        Assert.NotNull(_agents.Ranks(1).Running(jobId, 1));
        await _coordinator.CheckpointAsync(jobId, 1, placements, stop: true);
        Assert.Empty(_agents.NamespacesOf(jobId));
        await _coordinator.RestoreAsync(jobId, 1, placements);
        await AllExitCleanlyAsync(jobId);
        Assert.Equal($"rank 0 done rounds {rounds} value {rounds * 6}", Output(jobId, 0)[^1]);
    }

    [Fact]
    public async Task A_dump_that_fails_on_one_agent_aborts_the_checkpoint_and_the_ring_runs_on_to_the_right_sum()
    {
        const int rounds = 30;
        var (jobId, placements) = await LaunchRingAsync(rounds);
        // Rank 1's bundle cannot be written on its agent: a file is where the job's checkpoints directory would go.
        var blocked = Path.GetDirectoryName(_agents.Ranks(1).Bundle(jobId, 1, 1).Directory)!;
        Directory.CreateDirectory(Path.GetDirectoryName(blocked)!);
        await File.WriteAllTextAsync(blocked, "not a directory");

        var failure = await Assert.ThrowsAsync<DistributedCheckpointFailedException>(
            () => _coordinator.CheckpointAsync(jobId, 1, placements, stop: true));

        Assert.Equal([1], failure.FailedRanks);
        Assert.StartsWith($"dump failed in rank 1: {RankAgents.NodeId(1)}: ", failure.Message);
        foreach (var name in _agents.NamespacesOf(jobId))
            Assert.False(await _agents.Fabric.Namespaces.IsLockedAsync(name), $"{name} is unlocked again");
        Assert.All(Enumerable.Range(0, Size), r => Assert.NotNull(_agents.Ranks(r).Running(jobId, r)));
        await AllExitCleanlyAsync(jobId);
        Assert.Equal($"rank 0 done rounds {rounds} value {rounds * 6}", Output(jobId, 0)[^1]);
    }

    [Fact]
    public async Task An_agent_that_does_not_answer_aborts_the_checkpoint_and_the_other_ranks_are_unlocked()
    {
        const int rounds = 30;
        var (jobId, placements) = await LaunchRingAsync(rounds);
        var coordinator = new DistributedJobCoordinator(_agents.Bus, TimeSpan.FromSeconds(3));
        // Rank 2 is said to be on a node whose agent is gone: its lock gets no answer.
        placements[2] = placements[2] with { NodeId = "rank-node-gone" };

        var failure = await Assert.ThrowsAsync<DistributedCheckpointFailedException>(
            () => coordinator.CheckpointAsync(jobId, 1, placements, stop: false));

        Assert.Contains(2, failure.FailedRanks);
        Assert.StartsWith("lock failed in rank 2: rank-node-gone did not answer Lock within 3 s", failure.Message);
        foreach (var name in _agents.NamespacesOf(jobId))
            Assert.False(await _agents.Fabric.Namespaces.IsLockedAsync(name), $"{name} is unlocked again");
        Assert.False(Directory.Exists(_agents.Ranks(0).Bundle(jobId, 0, 1).Directory), "nothing was dumped");
    }

    [Fact]
    public async Task A_launch_with_bad_input_is_refused_with_a_clear_reason_and_leaves_nothing()
    {
        var jobId = _agents.NewJob();
        var client = _agents.Bus.CreateRequestClient<LaunchRank>(AgentAddress.For(RankAgents.NodeId(0)));

        async Task<string> RefusedAsync(LaunchRank command)
        {
            var response = await client.GetResponse<RankStepDone, RankStepFailed>(command);
            Assert.True(response.Is(out Response<RankStepFailed>? failed), "the launch was refused");
            return failed.Message.Reason;
        }

        var addresses = Enumerable.Range(0, Size).Select(_agents.Fabric.AddressOf).ToList();
        Assert.Equal("'10.0.0.999' is not an IPv4 address",
            await RefusedAsync(new LaunchRank(jobId, 0, RankAgents.NodeId(0), ["10.0.0.999", addresses[1]], NativeBinaries.Ring, [])));
        Assert.Equal("rank 3 has no address among the 3 given",
            await RefusedAsync(new LaunchRank(jobId, 3, RankAgents.NodeId(0), addresses, NativeBinaries.Ring, [])));
        Assert.Equal("executable '/no/such/ring' does not exist",
            await RefusedAsync(new LaunchRank(jobId, 0, RankAgents.NodeId(0), addresses, "/no/such/ring", [])));
        Assert.Empty(_agents.NamespacesOf(jobId));
        Assert.Empty(_agents.Fabric.Members());
        Assert.Null(_agents.Ranks(0).Running(jobId, 0));

        var steps = _agents.Bus.CreateRequestClient<RankStep>(AgentAddress.For(RankAgents.NodeId(0)));
        var step = await steps.GetResponse<RankStepDone, RankStepFailed>(new RankStep(jobId, 0, RankAgents.NodeId(0), RankStepKind.Lock, 0, null));
        Assert.True(step.Is(out Response<RankStepFailed>? notHeld));
        Assert.Equal($"rank 0 of job {jobId} is not held by this agent", notHeld.Message.Reason);
    }

    [Fact]
    public async Task A_launch_delivered_twice_at_once_starts_the_rank_once_and_both_deliveries_are_answered_done()
    {
        // A redelivery after the agent's broker connection broke arrives while the first delivery still launches.
        var jobId = _agents.NewJob();
        var addresses = Enumerable.Range(0, Size).Select(_agents.Fabric.AddressOf).ToList();
        var command = new LaunchRank(jobId, 0, RankAgents.NodeId(0), addresses, NativeBinaries.Ring, ["--rounds", "5"]);

        await Task.WhenAll(_agents.Ranks(0).LaunchAsync(command, CancellationToken.None), _agents.Ranks(0).LaunchAsync(command, CancellationToken.None));

        Assert.NotNull(_agents.Ranks(0).Running(jobId, 0));
        Assert.Single(_agents.NamespacesOf(jobId));
        Assert.Single(_agents.Fabric.Members());
    }

    [Fact]
    public async Task A_launch_delivered_twice_at_once_that_fails_refuses_both_with_the_reason_and_leaves_nothing()
    {
        var jobId = _agents.NewJob();
        var addresses = Enumerable.Range(0, Size).Select(_agents.Fabric.AddressOf).ToList();
        var command = new LaunchRank(jobId, 0, RankAgents.NodeId(0), addresses, "/no/such/ring", []);

        var deliveries = new[] { _agents.Ranks(0).LaunchAsync(command, CancellationToken.None), _agents.Ranks(0).LaunchAsync(command, CancellationToken.None) };

        foreach (var delivery in deliveries)
            Assert.Equal("executable '/no/such/ring' does not exist", (await Assert.ThrowsAsync<AgentRejectionException>(() => delivery)).Message);
        Assert.Empty(_agents.NamespacesOf(jobId));
        Assert.Null(_agents.Ranks(0).Running(jobId, 0));
    }

    [Fact]
    public async Task A_rank_bundle_is_restored_only_at_the_address_it_was_taken_at_and_a_refused_restore_leaves_nothing()
    {
        var (jobId, placements) = await LaunchRingAsync(rounds: 100);
        await _coordinator.CheckpointAsync(jobId, 1, placements, stop: true);
        var bundle = _agents.Ranks(0).Bundle(jobId, 0, 1);
        Assert.True(File.Exists(bundle.ManifestPath), "rank 0's dump is a sealed bundle");
        var steps = _agents.Bus.CreateRequestClient<RankStep>(AgentAddress.For(RankAgents.NodeId(0)));
        var elsewhere = _agents.Fabric.AddressOf(7);

        async Task<Response<RankStepDone, RankStepFailed>> StepAsync(RankStepKind kind, string? address = null) =>
            await steps.GetResponse<RankStepDone, RankStepFailed>(new RankStep(jobId, 0, RankAgents.NodeId(0), kind, 1, address));

        Assert.True((await StepAsync(RankStepKind.Prepare, elsewhere)).Is(out Response<RankStepDone>? _), "a namespace at another address is made");
        var restore = await StepAsync(RankStepKind.Restore);

        Assert.True(restore.Is(out Response<RankStepFailed>? refused), "the restore was refused");
        Assert.Equal($"checkpoint 1 of rank 0 of job {jobId} refused: it was taken at {placements[0].Address}, the namespace prepared for it carries {elsewhere}",
            refused.Message.Reason);
        Assert.Null(_agents.Ranks(0).Running(jobId, 0));
        Assert.True((await StepAsync(RankStepKind.Abandon)).Is(out Response<RankStepDone>? _), "the prepared namespace is given up");
        Assert.Empty(_agents.NamespacesOf(jobId));
        // The refusal changed nothing: the bundle still restores, at its own address, and the ring finishes.
        await _coordinator.RestoreAsync(jobId, 1, placements);
        await AllExitCleanlyAsync(jobId);
        Assert.Equal($"rank 0 done rounds 100 value {100 * 6}", Output(jobId, 0)[^1]);
    }
}
