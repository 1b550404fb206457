using Caas.Contracts.Alerts;

namespace Caas.Contracts.Events.Alerts;

/// <summary>Alerts matching <paramref name="Matchers"/> are not notified until <paramref name="EndsAt"/>.</summary>
[EventType("SilenceCreated")]
[GenerateSerializer, Immutable]
public sealed record SilenceCreated(
    [property: Id(0)] string SilenceId,
    [property: Id(1)] SilenceMatchers Matchers,
    [property: Id(2)] DateTimeOffset EndsAt,
    [property: Id(3)] string CreatedBy,
    [property: Id(4)] string Reason,
    [property: Id(5)] DateTimeOffset At) : ISilenceEvent;
