namespace Caas.Monitoring.EventStore;

/// <summary>The argument checks every <see cref="IEventStore"/> backend makes, so that bad input gets the same clear error from each and reaches no database.</summary>
internal static class EventStoreArguments
{
    public static void ValidateAppend(string stream, long expectedVersion, IReadOnlyList<EventData> events)
    {
        ValidateStream(stream);
        if (expectedVersion < ExpectedVersion.Any)
            throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "Expected version must be a stream version (0 or more), ExpectedVersion.NoStream (-1) or ExpectedVersion.Any (-2).");
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
            throw new ArgumentException($"Append to stream '{stream}' has no events.", nameof(events));
        foreach (var e in events)
        {
            if (e is null || e.EventId == Guid.Empty || string.IsNullOrWhiteSpace(e.Type) || e.Data is null)
                throw new ArgumentException($"Append to stream '{stream}': every event needs a non-empty id, a type name and data.", nameof(events));
        }
        var ids = new HashSet<Guid>();
        foreach (var e in events)
        {
            if (!ids.Add(e.EventId))
                throw new ArgumentException($"Append to stream '{stream}' lists event id {e.EventId} more than once.", nameof(events));
        }
    }

    /// <summary>An event id is stored once per stream, so an append that repeats only part of an earlier one cannot be honoured.</summary>
    public static ArgumentException RepeatsPartOfAnEarlierAppend(string stream, long firstStoredVersion) => new(
        $"Append to stream '{stream}': some of its event ids are already stored in the stream (from version {firstStoredVersion}), "
        + "but the append does not repeat that earlier write exactly; nothing was appended.", "events");

    public static void ValidateSnapshot(StreamSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ValidateStream(snapshot.Stream);
        if (snapshot.Version < 0 || string.IsNullOrWhiteSpace(snapshot.Type) || snapshot.Data is null)
            throw new ArgumentException($"A snapshot of stream '{snapshot.Stream}' needs a version of 0 or more, a type name and data.", nameof(snapshot));
    }

    public static void ValidateProjectionCheckpoint(ProjectionCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ValidateProjectionName(checkpoint.Name);
        if (checkpoint.Position < 0 || string.IsNullOrWhiteSpace(checkpoint.StateType) || checkpoint.State is null)
            throw new ArgumentException($"The checkpoint of projection '{checkpoint.Name}' needs a position of 0 or more, a state type and a state.", nameof(checkpoint));
    }

    public static void ValidateProjectionName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("A projection name is required.", nameof(name));
    }

    public static void ValidateStream(string stream)
    {
        if (string.IsNullOrWhiteSpace(stream))
            throw new ArgumentException("A stream name is required.", nameof(stream));
    }

    public static void ValidateCount(int maxCount)
    {
        if (maxCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, "maxCount must be at least 1.");
    }
}
