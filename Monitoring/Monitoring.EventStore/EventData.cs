namespace Caas.Monitoring.EventStore;

/// <summary>An event to append: a stable id (appending the same id at the same place twice is a no-op), a stored type name and its JSON.</summary>
public sealed record EventData(Guid EventId, string Type, string Data);
