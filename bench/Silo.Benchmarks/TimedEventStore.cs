using System.Collections.Concurrent;
using System.Diagnostics;
using Caas.Contracts.Jobs;
using Caas.Monitoring.EventStore;

namespace Caas.Silo.Benchmarks;

/// <summary>
/// The silo's event store with a stopwatch on every append (call to durable) to a job's stream, as the job grains
/// make them. Only the benchmark wraps the store so; latencies are kept while <see cref="Recording"/> is on. Appends
/// to other streams (node liveness, alerts, the audit trail) are not what `monitoring.append_p99_ms` names and are
/// not counted.
/// </summary>
public sealed class TimedEventStore(IEventStore inner) : IEventStore
{
    private readonly ConcurrentQueue<double> _latenciesMs = new();

    public IEventStore Inner => inner;

    public bool Recording { get; set; }

    /// <summary>How many job appends were recorded since the last <see cref="TakeLatenciesMs"/>.</summary>
    public int Recorded => _latenciesMs.Count;

    /// <summary>The latencies recorded since the last call, in milliseconds; clears them.</summary>
    public double[] TakeLatenciesMs()
    {
        var taken = new List<double>(_latenciesMs.Count);
        while (_latenciesMs.TryDequeue(out var latency))
            taken.Add(latency);
        return [.. taken];
    }

    public async Task<AppendResult> AppendAsync(string stream, long expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await inner.AppendAsync(stream, expectedVersion, events, cancellationToken).ConfigureAwait(false);
        if (Recording && JobIds.IsValid(stream))
            _latenciesMs.Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string stream, long fromVersion, int maxCount, CancellationToken cancellationToken = default) =>
        inner.ReadStreamAsync(stream, fromVersion, maxCount, cancellationToken);

    public Task<IReadOnlyList<RecordedEvent>> ReadStreamBackwardAsync(string stream, long fromVersion, int maxCount, CancellationToken cancellationToken = default) =>
        inner.ReadStreamBackwardAsync(stream, fromVersion, maxCount, cancellationToken);

    public Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(long fromPosition, int maxCount, CancellationToken cancellationToken = default) =>
        inner.ReadAllAsync(fromPosition, maxCount, cancellationToken);

    public Task<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default) => inner.ReadHeadPositionAsync(cancellationToken);

    public Task SubscribeToAllAsync(long fromPosition, Func<RecordedEvent, CancellationToken, ValueTask> handler, CancellationToken cancellationToken) =>
        inner.SubscribeToAllAsync(fromPosition, handler, cancellationToken);

    public Task SubscribeToAllAsync(long fromPosition, IReadOnlySet<string> passOver, Func<RecordedEvent, CancellationToken, ValueTask> handler, CancellationToken cancellationToken) =>
        inner.SubscribeToAllAsync(fromPosition, passOver, handler, cancellationToken);

    public Task SaveSnapshotAsync(StreamSnapshot snapshot, CancellationToken cancellationToken = default) => inner.SaveSnapshotAsync(snapshot, cancellationToken);

    public Task<StreamSnapshot?> ReadSnapshotAsync(string stream, CancellationToken cancellationToken = default) => inner.ReadSnapshotAsync(stream, cancellationToken);
}
