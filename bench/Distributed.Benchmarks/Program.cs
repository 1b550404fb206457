using System.Diagnostics;
using System.Globalization;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Distributed;
using Caas.Distributed.Benchmarks;
using Caas.Ingest.Benchmarks;

// Coordinated checkpoint of a distributed job (issue 8): a ring of N ranks, each holding M MiB, in namespaces of their
// own on a bridge. Per run, in alternating order: a raw `criu dump --leave-running --tcp-established` of each rank on its own
// (the slowest of them is the baseline), and one coordinated checkpoint of all ranks (lock all, dump all, unlock all,
// through CoordinatedCheckpoint and the CRIU engine). Medians over the runs. Usage:
//   caas-bench-distributed [--ranks N (3)] [--mib M (256)] [--runs R (3)]
// Needs root, CAAS_SHIM, CAAS_CRIU and CAAS_NATIVE_BIN (the ring) as the tests do.
var options = new Dictionary<string, int> { ["--ranks"] = 3, ["--mib"] = 256, ["--runs"] = 3 };
for (var i = 0; i < args.Length; i += 2)
{
    if (!options.ContainsKey(args[i]) || i + 1 >= args.Length
        || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
    {
        Console.Error.WriteLine($"caas-bench-distributed: bad argument '{args[i]}': use --ranks N (>= 2), --mib M, --runs R with whole numbers >= 1");
        return 2;
    }
    options[args[i]] = value;
}
int size = options["--ranks"], mib = options["--mib"], runs = options["--runs"];
if (size < 2)
{
    Console.Error.WriteLine("caas-bench-distributed: --ranks needs at least 2");
    return 2;
}
var capture = new CaptureOptions();
var ring = Path.Combine(Environment.GetEnvironmentVariable("CAAS_NATIVE_BIN") ?? "native/build/bin", "ring");
if (!File.Exists(capture.ShimPath) || !File.Exists(capture.CriuPath) || !File.Exists(ring))
{
    Console.Error.WriteLine($"caas-bench-distributed: needs CAAS_SHIM ({capture.ShimPath}), CAAS_CRIU ({capture.CriuPath}) and CAAS_NATIVE_BIN with ring ({ring})");
    return 2;
}

await using var job = await RingOnBridge.StartAsync(capture, ring, size, mib);
await job.WaitForRoundAfterAsync(1, TimeSpan.FromSeconds(120));
List<double> slowestRaw = [], coordinated = [], onNodes = [], locked = [];
for (var run = 1; run <= runs; run++)
{
    // Which side goes first alternates, so that what one leaves behind (page cache full of images) weighs on both.
    var raw = new List<double>();
    async Task RawAsync()
    {
        foreach (var (handle, network) in job.Ranks)
            raw.Add(await RawDumpSecondsAsync(capture.CriuPath, handle.Pid, network.Path, Path.Combine(job.Scratch, $"raw-{run}-{handle.JobId}")));
    }
    if (run % 2 == 1)
        await RawAsync();
    var ranks = job.Ranks.Select((r, i) => (ICheckpointRank)new LocalCheckpointRank(i, r.Job, r.Network, job.Engine, job.Namespaces)).ToList();
    var watch = Stopwatch.StartNew();
    var result = await CoordinatedCheckpoint.RunAsync(ranks, r => Path.Combine(job.Scratch, $"coordinated-{run}-{r}"), stop: false);
    var wall = watch.Elapsed.TotalSeconds;
    if (run % 2 == 0)
        await RawAsync();
    slowestRaw.Add(raw.Max());
    coordinated.Add(wall);
    // On one host the engine runs one CRIU at a time; on N nodes the dumps overlap, so the slowest stands for all.
    var dumps = result.Ranks.Select(t => t.Dump.TotalSeconds).ToList();
    onNodes.Add(wall - dumps.Sum() + dumps.Max());
    locked.Add(result.NetworkLocked.TotalSeconds);
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"# run {run}: raw dumps {string.Join(" / ", raw.Select(s => s.ToString("0.000", CultureInfo.InvariantCulture)))} s; coordinated {wall:0.000} s (dumps {string.Join(" / ", dumps.Select(s => s.ToString("0.000", CultureInfo.InvariantCulture)))} s, network locked {result.NetworkLocked.TotalSeconds:0.000} s)"));
    foreach (var directory in Directory.GetDirectories(job.Scratch, $"*-{run}-*"))
        Directory.Delete(directory, recursive: true);
}
// The ring went on after all those checkpoints: every rank still runs and rank 0 gets new rounds.
var round = job.LastRound();
await job.WaitForRoundAfterAsync(round, TimeSpan.FromSeconds(30));
Console.Error.WriteLine($"# the ring went on past round {round} after {runs} coordinated checkpoints");

Console.WriteLine(FigureLine.Target("distributed.coordinated_ratio", Median(onNodes) / Median(slowestRaw), "<=", 1.5));
Console.WriteLine(FigureLine.Record("distributed.coordinated_one_host_ratio", Median(coordinated) / Median(slowestRaw)));
Console.WriteLine(FigureLine.Record("distributed.network_locked_s", Median(locked)));
return 0;

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

// The baseline: CRIU itself, run in the rank's namespace as the engine runs it, leaving the rank running.
static async Task<double> RawDumpSecondsAsync(string criu, int pid, string networkNamespace, string images)
{
    Directory.CreateDirectory(images);
    var start = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var argument in new[] { $"--net={networkNamespace}", criu, "dump", "-t", pid.ToString(CultureInfo.InvariantCulture), "-D", images,
                 "-o", "dump.log", "--leave-running", "--tcp-established" })
        start.ArgumentList.Add(argument);
    var watch = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    var error = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    var seconds = watch.Elapsed.TotalSeconds;
    if (process.ExitCode != 0)
        throw new InvalidOperationException($"raw criu dump of PID {pid} failed (exit {process.ExitCode}); see {images}/dump.log: {await error}");
    return seconds;
}
