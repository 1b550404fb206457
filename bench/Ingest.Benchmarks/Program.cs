using System.Globalization;
using Caas.Ingest.Benchmarks;
using Caas.Monitoring.EventStore;

// Event store ingestion (issue 4), SQLite backend: group-committed appends as job grains make them,
// side by side with a raw batched insert of the same rows, runs interleaved. Usage:
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

var work = Directory.CreateTempSubdirectory("caas-bench-ingest-");
try
{
    Console.Error.WriteLine($"# monitoring: SQLite event store (WAL, synchronous=NORMAL, group commit), {jobs} jobs x {heartbeats} heartbeats = {jobs * heartbeats} events per run, {runs} runs; baseline: one prepared INSERT in transactions of {RawBatchedInsert.RowsPerTransaction} rows");
    var rows = HeartbeatRows.Create(jobs, heartbeats);

    // JIT and SQLite's first-open costs stay out of the measured runs.
    var warmUp = HeartbeatRows.Create(50, 10);
    await MeasureStoreAsync(warmUp, Path.Combine(work.FullName, "warm-store.db"));
    RawBatchedInsert.Run(Path.Combine(work.FullName, "warm-raw.db"), warmUp);

    var store = new List<IngestMeasurement>();
    var raw = new List<IngestMeasurement>();
    for (var run = 1; run <= runs; run++)
    {
        store.Add(await MeasureStoreAsync(rows, Path.Combine(work.FullName, $"store-{run}.db")));
        raw.Add(RawBatchedInsert.Run(Path.Combine(work.FullName, $"raw-{run}.db"), rows));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# run {run}: event store {store[^1].EventsPerSecond:0} events/s (p50 {store[^1].LatencyPercentileMs(50):0.0} ms, p99 {store[^1].LatencyPercentileMs(99):0.0} ms per append); raw batched insert {raw[^1].EventsPerSecond:0} events/s"));
    }

    var storeRate = Median(store.Select(m => m.EventsPerSecond));
    var rawRate = Median(raw.Select(m => m.EventsPerSecond));
    Console.WriteLine(FigureLine.Target("monitoring.ingest_events_per_s", storeRate, ">=", 20_000));
    Console.WriteLine(FigureLine.Target("monitoring.ingest_vs_copy", storeRate / rawRate, ">=", 0.5));
    Console.WriteLine(FigureLine.Target("monitoring.append_p99_ms", Median(store.Select(m => m.LatencyPercentileMs(99))), "<=", 50));
    return 0;
}
finally
{
    work.Delete(recursive: true);
}

static async Task<IngestMeasurement> MeasureStoreAsync(HeartbeatRows rows, string path)
{
    await using var store = new SqliteEventStore(path);
    var measurement = await EventStoreIngest.RunAsync(store, rows);
    // Every acknowledged append must be there, or the rate means nothing.
    var head = await store.ReadHeadPositionAsync();
    if (head != rows.Count)
        throw new InvalidOperationException($"the event store holds {head} events after {rows.Count} acknowledged appends");
    return measurement;
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
