namespace Caas.Monitoring.EventStore;

/// <summary>An event to append: a stable id (appending the same id at the same place twice is a no-op), a stored type name and its JSON.</summary>
public sealed record EventData(Guid EventId, string Type, string Data)
{
    /// <summary>
    /// The (immutable) event object <see cref="Data"/> was serialized from, when the writer has it: a store may hand it
    /// to its own subscribers (<see cref="RecordedEvent.Original"/>) so they need not deserialize what was just written.
    /// Never stored.
    /// </summary>
    public object? Original { get; init; }
}
