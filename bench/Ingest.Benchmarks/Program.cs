using System.Globalization;
using Caas.Ingest.Benchmarks;
using Caas.Monitoring.EventStore;

// Event store ingestion, the store alone (issue 4's figures come from the real path: bench/Silo.Benchmarks): appends as job grains make them (one heartbeat per append, every job at
// once, the store's group commit batching them), side by side with a raw bulk insert of the same rows, runs
// interleaved. SQLite always; PostgreSQL too when CAAS_TEST_POSTGRES holds a connection string. Figure names
// end in the backend (".sqlite", ".postgres"). Usage:
//   caas-bench-ingest [--jobs N (500)] [--heartbeats H (100)] [--runs R (3)]
var options = new Dictionary<string, int> { ["--jobs"] = 500, ["--heartbeats"] = 100, ["--runs"] = 3 };
for (var i = 0; i < args.Length; i += 2)
{
    if (!options.ContainsKey(args[i]) || i + 1 >= args.Length
        || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
    {
        Console.Error.WriteLine($"caas-bench-ingest: bad argument '{args[i]}': use --jobs N, --heartbeats H, --runs R with whole numbers >= 1");
        return 2;
    }
    options[args[i]] = value;
}
int jobs = options["--jobs"], heartbeats = options["--heartbeats"], runs = options["--runs"];

var scratch = Directory.CreateTempSubdirectory("caas-bench-ingest-");
List<IIngestBackend> backends = [new SqliteIngestBackend(scratch)];
if (Environment.GetEnvironmentVariable("CAAS_TEST_POSTGRES") is { Length: > 0 } postgres)
    backends.Add(new PostgresIngestBackend(postgres));
try
{
    var rows = HeartbeatRows.Create(jobs, heartbeats);
    var warmUp = HeartbeatRows.Create(50, 10);
    foreach (var backend in backends)
    {
        Console.Error.WriteLine($"# monitoring.{backend.Name}: {backend.Description}; {jobs} jobs x {heartbeats} heartbeats = {rows.Count} events per run, {runs} runs");
        // JIT and first-connection costs stay out of the measured runs.
        await MeasureStoreAsync(backend, "warm", warmUp);
        await backend.RunBaselineAsync("warm", warmUp);

        var store = new List<IngestMeasurement>();
        var raw = new List<IngestMeasurement>();
        for (var run = 1; run <= runs; run++)
        {
            store.Add(await MeasureStoreAsync(backend, run.ToString(CultureInfo.InvariantCulture), rows));
            raw.Add(await backend.RunBaselineAsync(run.ToString(CultureInfo.InvariantCulture), rows));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# run {run}: event store {store[^1].EventsPerSecond:0} events/s (p50 {store[^1].LatencyPercentileMs(50):0.0} ms, p99 {store[^1].LatencyPercentileMs(99):0.0} ms per append); raw bulk insert {raw[^1].EventsPerSecond:0} events/s"));
        }

        var storeRate = Median(store.Select(m => m.EventsPerSecond));
        var rawRate = Median(raw.Select(m => m.EventsPerSecond));
        // The store alone, for the record: issue 4's figures (monitoring.ingest_*) come from the real path, bench/Silo.Benchmarks.
        Console.WriteLine(FigureLine.Record($"monitoring.store_append_events_per_s.{backend.Name}", storeRate));
        Console.WriteLine(FigureLine.Record($"monitoring.store_append_vs_copy.{backend.Name}", storeRate / rawRate));
        Console.WriteLine(FigureLine.Record($"monitoring.store_append_p99_ms.{backend.Name}", Median(store.Select(m => m.LatencyPercentileMs(99)))));
    }
    return 0;
}
finally
{
    foreach (var backend in backends)
        await backend.DisposeAsync();
    scratch.Delete(recursive: true);
}

static async Task<IngestMeasurement> MeasureStoreAsync(IIngestBackend backend, string run, HeartbeatRows rows)
{
    var store = await backend.CreateStoreAsync(run);
    try
    {
        var measurement = await EventStoreIngest.RunAsync(store, rows);
        // Every acknowledged append must be there, or the rate means nothing.
        var stored = (await store.ReadAllAsync(1, rows.Count + 1)).Count;
        if (stored != rows.Count)
            throw new InvalidOperationException($"the {backend.Name} event store holds {stored} events after {rows.Count} acknowledged appends");
        return measurement;
    }
    finally
    {
        await ((IAsyncDisposable)store).DisposeAsync();
    }
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
