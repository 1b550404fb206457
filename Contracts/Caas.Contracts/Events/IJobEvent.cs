namespace Caas.Contracts.Events;

/// <summary>
/// An event in a job's stream. Stored as versioned JSON under the name given by
/// <see cref="EventTypeAttribute"/>, never under a CLR type name, so types can be renamed and moved.
/// </summary>
public interface IJobEvent
{
    string JobId { get; }
    DateTimeOffset At { get; }
}
