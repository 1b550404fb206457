namespace Caas.Monitoring.EventStore;

/// <summary>The stream's version (its last event's) and that event's global position after an append.</summary>
public readonly record struct AppendResult(long NextExpectedVersion, long Position);
