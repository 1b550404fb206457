using Caas.Contracts.Alerts;

namespace Caas.Contracts.Views;

public enum AlertKind { Stalled = 0, Failed = 1, RecoveryFailed = 2, Starved = 3, NodeLost = 4 }

/// <summary>
/// A condition on a job (or node) that people should know about: pending, firing, acknowledged, then resolved.
/// One alert per (subject, kind); a later occurrence of the same condition is a new <see cref="Occurrence"/> of it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AlertView
{
    [Id(0)] public required string JobId { get; init; }
    [Id(1)] public required string JobName { get; init; }
    [Id(2)] public AlertKind Kind { get; init; }
    [Id(3)] public required string Message { get; init; }
    [Id(4)] public DateTimeOffset RaisedAt { get; init; }
    /// <summary>Null while the alert is open.</summary>
    [Id(5)] public DateTimeOffset? ResolvedAt { get; init; }
    /// <summary>Stable id, e.g. <c>stalled-job-0123456789</c>; the alert's events are in stream <c>alert-&lt;Id&gt;</c>.</summary>
    [Id(6)] public string Id { get; init; } = "";
    [Id(7)] public AlertState State { get; init; }
    [Id(8)] public string? Node { get; init; }
    [Id(9)] public string? Pool { get; init; }
    [Id(10)] public DateTimeOffset? FiredAt { get; init; }
    [Id(11)] public string? AcknowledgedBy { get; init; }
    [Id(12)] public DateTimeOffset? AcknowledgedAt { get; init; }
    [Id(13)] public string? AcknowledgeComment { get; init; }
    /// <summary>Ids of the active silences that match it: it is shown but not notified.</summary>
    [Id(14)] public IReadOnlyList<string> SilencedBy { get; init; } = [];
    /// <summary>Why it is not notified although firing, e.g. "inhibited by node node-a lost".</summary>
    [Id(15)] public string? InhibitedBy { get; init; }
    /// <summary>1 for the first time the condition arose, 2 for the next (after a resolve beyond the flap window)...</summary>
    [Id(16)] public int Occurrence { get; init; } = 1;
    /// <summary>How often it came back within the flap window and was reopened without a new notification.</summary>
    [Id(17)] public int Reopened { get; init; }
    [Id(18)] public IReadOnlyList<AlertDelivery> Deliveries { get; init; } = [];
}
