namespace Caas.Monitoring.EventStore;

/// <summary>A folded state of a stream up to and including event Version, so readers can skip replaying the events before it.</summary>
public sealed record StreamSnapshot(string Stream, long Version, string Type, string Data);
