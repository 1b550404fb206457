using Caas.Capture.Engine;
using Caas.Capture.Engine.Distributed;
using Caas.Capture.Engine.Network;
using Caas.Contracts.Jobs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Tests;

/// <summary>
/// A ring of three ranks (the native ring workload), each in a network namespace of its own on a shared bridge,
/// checkpointed together with real CRIU and restored together in fresh namespaces with the same addresses.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class CoordinatedCheckpointTests : IAsyncLifetime
{
    private const int Size = 3;
    private readonly TemporaryDirectory _directory = new();
    private readonly CriuEngine _engine = new(Options.Create(new CaptureOptions { ShimPath = NativeBinaries.Shim, CriuPath = NativeBinaries.Criu }), NullLogger<CriuEngine>.Instance);
    private readonly List<JobHandle> _started = [];
    private RankFabric _fabric = null!;

    public Task InitializeAsync()
    {
        _fabric = new RankFabric();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var job in _started)
            _engine.Kill(job);
        await _fabric.DisposeAsync();
        _directory.Dispose();
    }

    private string Peers => string.Join(',', Enumerable.Range(0, Size).Select(r => $"{_fabric.AddressOf(r)}:7100"));

    private async Task<List<LocalCheckpointRank>> LaunchRingAsync(int rounds)
    {
        var jobId = JobIds.New();
        var ranks = new List<LocalCheckpointRank>();
        for (var rank = 0; rank < Size; rank++)
        {
            var network = await _fabric.Namespaces.CreateAsync(_fabric.Name("a", rank), _fabric.AddressOf(rank), locked: false);
            var job = await _engine.LaunchAsync(new JobLaunchRequest
            {
                JobId = jobId,
                StateDirectory = _directory.Combine("a", rank.ToString()),
                Executable = NativeBinaries.Ring,
                Args = ["--rounds", rounds.ToString(), "--hop-ms", "30"],
                Environment = new Dictionary<string, string>
                {
                    ["CAAS_RANK"] = rank.ToString(),
                    ["CAAS_RANKS"] = Size.ToString(),
                    ["CAAS_RANK_ADDRESSES"] = Peers,
                },
                // A working directory per rank, as the agent gives each job: CRIU's parasite makes a directory there.
                WorkingDirectory = Directory.CreateDirectory(_directory.Combine("cwd", rank.ToString())).FullName,
                NetworkNamespace = network.Path,
            });
            _started.Add(job);
            ranks.Add(new LocalCheckpointRank(rank, job, network, _engine, _fabric.Namespaces));
        }
        await RoundReachedAsync(_directory.Combine("a", "0"), 3);
        return ranks;
    }

    private static Task RoundReachedAsync(string stateDirectory, int round) =>
        Eventually.Get(() => LastRound(stateDirectory), r => r >= round, TimeSpan.FromSeconds(30), $"round {round} at rank 0");

    private static int? LastRound(string stateDirectory) =>
        Output(stateDirectory).Where(l => l.StartsWith("rank 0 round ", StringComparison.Ordinal)).Select(l => (int?)int.Parse(l.Split(' ')[3])).LastOrDefault();

    private static string[] Output(string stateDirectory)
    {
        var path = Path.Combine(stateDirectory, "stdout.log");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    private Task<JobExitStatus> ExitAsync(string stateDirectory) =>
        Eventually.Get(() => _engine.ReadExit(stateDirectory), _ => true, TimeSpan.FromSeconds(60), $"the exit of {stateDirectory}");

    [Fact]
    public async Task A_ring_checkpointed_as_one_and_restored_in_fresh_namespaces_finishes_with_the_right_sum()
    {
        const int rounds = 40;
        var ranks = await LaunchRingAsync(rounds);

        var result = await CoordinatedCheckpoint.RunAsync(ranks, r => _directory.Combine("images", r.ToString()), stop: true);

        Assert.Equal(Size, result.Ranks.Count);
        Assert.All(_started, job => Assert.False(_engine.IsRunning(job), "a migration stops every rank"));
        Assert.All(Enumerable.Range(0, Size), r => Assert.False(_fabric.Namespaces.Exists(_fabric.Name("a", r)), "the old namespaces are gone"));
        Assert.Empty(_fabric.Members());
        var atCheckpoint = LastRound(_directory.Combine("a", "0"))!.Value;
        Assert.True(atCheckpoint < rounds, $"the ring was checkpointed before it finished (round {atCheckpoint})");

        var restores = Enumerable.Range(0, Size).Select(r => new LocalRestoreRank(r, $"job-rank{r}",
            new RankNamespace(_fabric.Name("b", r), _fabric.AddressOf(r)), _directory.Combine("b", r.ToString()),
            _directory.Combine("images", r.ToString()), _engine, _fabric.Namespaces)).ToList();
        await CoordinatedRestore.RunAsync(restores);
        _started.AddRange(restores.Select(r => r.Job!));
        Assert.Equal(Size, _fabric.Members().Count);

        for (var rank = 0; rank < Size; rank++)
            Assert.Equal(new JobExitStatus(0, null, null), await ExitAsync(_directory.Combine("b", rank.ToString())));
        var restoredOutput = Output(_directory.Combine("b", "0"));
        Assert.Equal($"rank 0 done rounds {rounds} value {rounds * 6}", restoredOutput[^1]);
        var firstRestoredRound = int.Parse(restoredOutput.First(l => l.StartsWith("rank 0 round ", StringComparison.Ordinal)).Split(' ')[3]);
        Assert.InRange(firstRestoredRound, atCheckpoint, atCheckpoint + 1);
    }

    [Fact]
    public async Task A_restore_that_fails_in_one_rank_is_undone_in_all_and_the_image_set_restores_afterwards()
    {
        const int rounds = 30;
        var ranks = await LaunchRingAsync(rounds);
        await CoordinatedCheckpoint.RunAsync(ranks, r => _directory.Combine("images", r.ToString()), stop: true);
        var empty = Directory.CreateDirectory(_directory.Combine("no-images")).FullName;

        List<LocalRestoreRank> Restores(string generation, Func<int, string> imagesOf) => [.. Enumerable.Range(0, Size).Select(r => new LocalRestoreRank(r, $"job-rank{r}",
            new RankNamespace(_fabric.Name(generation, r), _fabric.AddressOf(r)), _directory.Combine(generation, r.ToString()),
            imagesOf(r), _engine, _fabric.Namespaces))];
        // Rank 2's images are missing: its restore fails after the others may already run.
        var failing = Restores("b", r => r == 2 ? empty : _directory.Combine("images", r.ToString()));
        var failure = await Assert.ThrowsAsync<DistributedCheckpointFailedException>(() => CoordinatedRestore.RunAsync(failing));

        Assert.Equal([2], failure.FailedRanks);
        Assert.StartsWith("restore failed in rank 2: ", failure.Message);
        Assert.All(failing, r => Assert.Null(r.Job));
        Assert.All(Enumerable.Range(0, Size), r => Assert.False(_fabric.Namespaces.Exists(_fabric.Name("b", r)), $"rank {r}'s namespace is gone"));
        Assert.Empty(_fabric.Members());

        var restores = Restores("c", r => _directory.Combine("images", r.ToString()));
        await CoordinatedRestore.RunAsync(restores);
        _started.AddRange(restores.Select(r => r.Job!));
        for (var rank = 0; rank < Size; rank++)
            Assert.Equal(new JobExitStatus(0, null, null), await ExitAsync(_directory.Combine("c", rank.ToString())));
        Assert.Equal($"rank 0 done rounds {rounds} value {rounds * 6}", Output(_directory.Combine("c", "0"))[^1]);
    }

    [Fact]
    public async Task A_rank_whose_dump_fails_aborts_the_whole_checkpoint_and_the_ring_runs_on_to_the_right_sum()
    {
        const int rounds = 30;
        var ranks = await LaunchRingAsync(rounds);
        // Rank 1's images cannot be written: a file is where its directory should be.
        var blocked = _directory.Combine("images", "1");
        Directory.CreateDirectory(Path.GetDirectoryName(blocked)!);
        await File.WriteAllTextAsync(blocked, "not a directory");

        var failure = await Assert.ThrowsAsync<DistributedCheckpointFailedException>(
            () => CoordinatedCheckpoint.RunAsync(ranks, r => _directory.Combine("images", r.ToString()), stop: true));

        Assert.Equal([1], failure.FailedRanks);
        Assert.StartsWith("dump failed in rank 1: ", failure.Message);
        for (var rank = 0; rank < Size; rank++)
        {
            Assert.False(await _fabric.Namespaces.IsLockedAsync(_fabric.Name("a", rank)), $"rank {rank} is unlocked again");
            Assert.True(_engine.IsRunning(_started[rank]), $"rank {rank} runs on");
        }
        for (var rank = 0; rank < Size; rank++)
            Assert.Equal(new JobExitStatus(0, null, null), await ExitAsync(_directory.Combine("a", rank.ToString())));
        Assert.Equal($"rank 0 done rounds {rounds} value {rounds * 6}", Output(_directory.Combine("a", "0"))[^1]);
    }
}
