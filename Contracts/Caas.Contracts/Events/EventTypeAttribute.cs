namespace Caas.Contracts.Events;

/// <summary>The stable stored name and schema version of an event type, e.g. ("JobSubmitted", 1).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class EventTypeAttribute(string name, int version = 1) : Attribute
{
    public string Name { get; } = name;
    public int Version { get; } = version;
}
