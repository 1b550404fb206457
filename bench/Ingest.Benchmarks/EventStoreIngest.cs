using System.Diagnostics;
using Caas.Monitoring.EventStore;

namespace Caas.Ingest.Benchmarks;

/// <summary>
/// Appends the rows the way job grains do: every job appends its heartbeats one at a time with its expected
/// version and waits for each to be durable before the next, all jobs at once, so the store's group commit
/// is what batches them.
/// </summary>
public static class EventStoreIngest
{
    public static async Task<IngestMeasurement> RunAsync(IEventStore store, HeartbeatRows rows)
    {
        var latencies = new double[rows.Count];
        var perJob = rows.EventsByJob[0].Length;
        var started = Stopwatch.GetTimestamp();
        var jobs = Enumerable.Range(0, rows.Streams.Count).Select(j => Task.Run(async () =>
        {
            var stream = rows.Streams[j];
            var events = rows.EventsByJob[j];
            for (var v = 0; v < events.Length; v++)
            {
                var before = Stopwatch.GetTimestamp();
                await store.AppendAsync(stream, v - 1, [events[v]]).ConfigureAwait(false);
                latencies[j * perJob + v] = Stopwatch.GetElapsedTime(before).TotalMilliseconds;
            }
        }));
        await Task.WhenAll(jobs).ConfigureAwait(false);
        return new IngestMeasurement(rows.Count, Stopwatch.GetElapsedTime(started), latencies);
    }
}
