using System.Diagnostics;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Network;
using Caas.Capture.Tests;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Caas.Distributed.Benchmarks;

/// <summary>
/// A ring of ranks (native ring workload, each holding some memory) in network namespaces of their own on a bridge in
/// 198.18.22.0/24 (the tests' <see cref="RankFabric"/>), launched through the CRIU engine as the agent launches ranks;
/// removed with everything it made.
/// </summary>
public sealed class RingOnBridge : IAsyncDisposable
{
    private readonly RankFabric _fabric = new("198.18.22", "caas-bench");
    private readonly List<(JobHandle Job, RankNamespace Network)> _ranks = [];

    private RingOnBridge(CaptureOptions capture)
    {
        Engine = new CriuEngine(Options.Create(capture), NullLogger<CriuEngine>.Instance);
        Scratch = Directory.CreateTempSubdirectory("caas-bench-distributed-").FullName;
    }

    public CriuEngine Engine { get; }
    public RankNamespaces Namespaces => _fabric.Namespaces;
    public string Scratch { get; }
    public IReadOnlyList<(JobHandle Job, RankNamespace Network)> Ranks => _ranks;

    public static async Task<RingOnBridge> StartAsync(CaptureOptions capture, string ring, int size, int mib)
    {
        var ringOnBridge = new RingOnBridge(capture);
        var fabric = ringOnBridge._fabric;
        var peers = string.Join(',', Enumerable.Range(0, size).Select(r => $"{fabric.AddressOf(r)}:7100"));
        for (var rank = 0; rank < size; rank++)
        {
            var network = await fabric.Namespaces.CreateAsync(fabric.Name("r", rank), fabric.AddressOf(rank), locked: false);
            var job = await ringOnBridge.Engine.LaunchAsync(new JobLaunchRequest
            {
                JobId = $"job-bench{rank}",
                StateDirectory = Path.Combine(ringOnBridge.Scratch, $"rank{rank}"),
                Executable = ring,
                Args = ["--rank", rank.ToString(), "--size", size.ToString(), "--peers", peers, "--rounds", "1000000", "--hop-ms", "20", "--mib", mib.ToString()],
                WorkingDirectory = Directory.CreateDirectory(Path.Combine(ringOnBridge.Scratch, $"cwd{rank}")).FullName,
                NetworkNamespace = network.Path,
            });
            ringOnBridge._ranks.Add((job, network));
        }
        return ringOnBridge;
    }

    /// <summary>The last round rank 0 printed, or 0.</summary>
    public int LastRound()
    {
        var path = Path.Combine(Scratch, "rank0", "stdout.log");
        if (!File.Exists(path))
            return 0;
        return File.ReadLines(path).Where(l => l.StartsWith("rank 0 round ", StringComparison.Ordinal))
            .Select(l => int.Parse(l.Split(' ')[3])).LastOrDefault();
    }

    /// <summary>Waits until rank 0 has printed a round after <paramref name="round"/>: the ring moves.</summary>
    public async Task WaitForRoundAfterAsync(int round, TimeSpan within)
    {
        var waited = Stopwatch.StartNew();
        while (LastRound() <= round)
        {
            if (waited.Elapsed > within)
                throw new TimeoutException($"the ring did not get past round {round} within {within.TotalSeconds:0} s");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (job, _) in _ranks)
            Engine.Kill(job);
        await _fabric.DisposeAsync();
        // A job's supervisor writes its exit file a moment after the job dies.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                Directory.Delete(Scratch, recursive: true);
                return;
            }
            catch (IOException)
            {
                await Task.Delay(1000);
            }
        }
    }
}
