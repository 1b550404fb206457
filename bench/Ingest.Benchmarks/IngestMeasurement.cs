namespace Caas.Ingest.Benchmarks;

/// <summary>One timed run: how many events became durable in how long, and (for the event store) each append's latency.</summary>
public sealed record IngestMeasurement(int Events, TimeSpan Elapsed, double[] AppendLatenciesMs)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;

    /// <summary>Nearest-rank percentile of the append latencies; NaN when no latencies were taken.</summary>
    public double LatencyPercentileMs(double percentile)
    {
        if (AppendLatenciesMs.Length == 0) return double.NaN;
        var sorted = AppendLatenciesMs.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
