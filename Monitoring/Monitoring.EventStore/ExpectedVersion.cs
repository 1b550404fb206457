namespace Caas.Monitoring.EventStore;

/// <summary>
/// Special expected versions for <see cref="IEventStore.AppendAsync"/>, as in EventStoreDB. Any other
/// value is the version (0-based) of the last event the writer believes the stream holds.
/// </summary>
public static class ExpectedVersion
{
    /// <summary>The stream must not exist yet.</summary>
    public const long NoStream = -1;
    /// <summary>No concurrency check.</summary>
    public const long Any = -2;
}
