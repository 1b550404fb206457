using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Monitoring.EventStore;

namespace Caas.Ingest.Benchmarks;

/// <summary>
/// The rows both sides of the benchmark write: for each simulated job, a stream of HeartbeatRecorded events
/// serialized exactly as the job grain stores them. Built before any timing starts.
/// </summary>
public sealed class HeartbeatRows
{
    private HeartbeatRows(IReadOnlyList<string> streams, EventData[][] eventsByJob)
    {
        Streams = streams;
        EventsByJob = eventsByJob;
    }

    public IReadOnlyList<string> Streams { get; }

    /// <summary>EventsByJob[j][v] is the event at version v of stream Streams[j].</summary>
    public EventData[][] EventsByJob { get; }

    public int Count => Streams.Count * EventsByJob[0].Length;

    public static HeartbeatRows Create(int jobs, int heartbeatsPerJob)
    {
        var serializer = new EventSerializer();
        var start = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
        var streams = new string[jobs];
        var events = new EventData[jobs][];
        for (var j = 0; j < jobs; j++)
        {
            var jobId = $"job-bench{j:D6}";
            // The job grain's journal names each stream after its job id.
            streams[j] = jobId;
            events[j] = new EventData[heartbeatsPerJob];
            for (var b = 0; b < heartbeatsPerJob; b++)
            {
                var sample = new JobSample
                {
                    JobId = jobId,
                    Pid = 10_000 + j,
                    State = "R",
                    CpuSeconds = b * 0.98,
                    RssBytes = 1L << 30,
                    ReadBytes = b * 4096L,
                    WriteBytes = b * 8192L,
                    Threads = 4,
                    Progress = (double)b / heartbeatsPerJob,
                    ProgressMessage = $"round {b}",
                    LastReportAt = start.AddSeconds(5 * b),
                };
                var heartbeat = new HeartbeatRecorded(jobId, "local", sample, start.AddSeconds(5 * b));
                events[j][b] = new EventData(Guid.NewGuid(), serializer.TypeNameOf(heartbeat), serializer.Serialize(heartbeat));
            }
        }
        return new HeartbeatRows(streams, events);
    }

    /// <summary>The events a run made durable, per stream in version order, for a baseline to write again.</summary>
    /// <exception cref="ArgumentException">The streams do not all hold the same number of events.</exception>
    public static HeartbeatRows FromRecorded(IReadOnlyList<RecordedEvent> recorded)
    {
        var byStream = recorded.GroupBy(e => e.Stream, StringComparer.Ordinal)
            .Select(g => (Stream: g.Key, Events: g.OrderBy(e => e.Version).Select(e => new EventData(e.EventId, e.Type, e.Data)).ToArray()))
            .ToArray();
        if (byStream.Length == 0 || byStream.Any(s => s.Events.Length != byStream[0].Events.Length))
            throw new ArgumentException("A baseline needs the same number of events in every stream.", nameof(recorded));
        return new HeartbeatRows(byStream.Select(s => s.Stream).ToArray(), byStream.Select(s => s.Events).ToArray());
    }
}
