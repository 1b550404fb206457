namespace Caas.Monitoring.EventStore;

/// <summary>
/// Append-only streams of events, modelled on EventStoreDB: per-stream versions with optimistic
/// concurrency, a global order over all streams ($all), catch-up subscriptions and snapshots.
/// </summary>
public interface IEventStore
{
    /// <summary>
    /// Appends <paramref name="events"/> in one transaction when the stream is at <paramref name="expectedVersion"/>
    /// (or <see cref="ExpectedVersion"/> NoStream / Any). Appending events whose ids are already stored at those
    /// places is a no-op success, so a retried append does not duplicate.
    /// </summary>
    /// <exception cref="WrongExpectedVersionException">The stream is at another version.</exception>
    Task<AppendResult> AppendAsync(string stream, long expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default);

    /// <summary>Events of one stream, oldest first, from <paramref name="fromVersion"/> inclusive.</summary>
    Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string stream, long fromVersion, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Events of one stream, newest first, from <paramref name="fromVersion"/> inclusive (<see cref="StreamPosition.End"/>: the last one).</summary>
    Task<IReadOnlyList<RecordedEvent>> ReadStreamBackwardAsync(string stream, long fromVersion, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Events of all streams in the order they were committed, from global position <paramref name="fromPosition"/> inclusive (positions start at 1).</summary>
    Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(long fromPosition, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>The global position of the newest event; 0 when the store is empty.</summary>
    Task<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Delivers every event from <paramref name="fromPosition"/> on, history first, then live, one at a time and in
    /// order, until <paramref name="cancellationToken"/> is cancelled. A handler failure ends the subscription with that exception.
    /// </summary>
    Task SubscribeToAllAsync(long fromPosition, Func<RecordedEvent, CancellationToken, ValueTask> handler, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="SubscribeToAllAsync(long, Func{RecordedEvent, CancellationToken, ValueTask}, CancellationToken)"/>, but
    /// events whose type is in <paramref name="passOver"/> reach the handler with empty <see cref="RecordedEvent.Data"/>:
    /// a subscriber that only needs to know they went by (its position) is spared reading what they say. A backend
    /// may then leave their data where it is.
    /// </summary>
    Task SubscribeToAllAsync(long fromPosition, IReadOnlySet<string> passOver, Func<RecordedEvent, CancellationToken, ValueTask> handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(passOver);
        ArgumentNullException.ThrowIfNull(handler);
        return SubscribeToAllAsync(fromPosition, (e, ct) => handler(passOver.Contains(e.Type) ? e with { Data = "" } : e, ct), cancellationToken);
    }

    /// <summary>Keeps only the newest snapshot per stream.</summary>
    Task SaveSnapshotAsync(StreamSnapshot snapshot, CancellationToken cancellationToken = default);

    /// <returns>Null when the stream has no snapshot.</returns>
    Task<StreamSnapshot?> ReadSnapshotAsync(string stream, CancellationToken cancellationToken = default);
}
