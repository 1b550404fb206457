namespace Caas.Contracts.Views;

public enum AlertKind { Stalled = 0, Failed = 1, RecoveryFailed = 2, Starved = 3 }

/// <summary>A condition on a job that people should know about; open until it resolves.</summary>
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
}
