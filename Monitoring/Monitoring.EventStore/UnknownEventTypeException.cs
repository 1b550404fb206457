namespace Caas.Monitoring.EventStore;

/// <summary>A stored event's type name, or an event's CLR type, that the serializer has no mapping for.</summary>
public sealed class UnknownEventTypeException(string message) : Exception(message);
