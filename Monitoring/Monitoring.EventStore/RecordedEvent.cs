namespace Caas.Monitoring.EventStore;

/// <summary>An event as stored: its place in its stream (Version, from 0) and in the whole store (Position, from 1).</summary>
public sealed record RecordedEvent(string Stream, long Version, long Position, Guid EventId, string Type, string Data, DateTimeOffset RecordedAt)
{
    /// <summary>
    /// The event object <see cref="Data"/> was serialized from, when this process wrote it and the store still had it
    /// (<see cref="EventData.Original"/>); null otherwise. Equal to what deserializing <see cref="Data"/> gives.
    /// </summary>
    public object? Original { get; init; }
}
