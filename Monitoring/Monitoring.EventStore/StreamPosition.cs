namespace Caas.Monitoring.EventStore;

/// <summary>Where reads start: the first event of a stream, or (backward reads) its last one.</summary>
public static class StreamPosition
{
    public const long Start = 0;
    /// <summary>For backward reads: start at the stream's last event.</summary>
    public const long End = -1;
}
