namespace Caas.Contracts.Views;

/// <summary>One incident's recovery as the portal shows it.</summary>
[GenerateSerializer, Immutable]
public sealed record RecoveryIncident
{
    [Id(0)] public required Guid IncidentId { get; init; }
    [Id(1)] public required string JobId { get; init; }
    /// <summary>Placing, Transferring, Restoring, Verifying, Recovered, Failed or NotAttempted.</summary>
    [Id(2)] public required string State { get; init; }
    [Id(3)] public required string Reason { get; init; }
    [Id(4)] public int? Sequence { get; init; }
    [Id(5)] public string? NodeId { get; init; }
    [Id(6)] public DateTimeOffset StartedAt { get; init; }
    [Id(7)] public DateTimeOffset? RestoredAt { get; init; }
    [Id(8)] public int? RestoredPid { get; init; }
    [Id(9)] public DateTimeOffset? VerifiedAt { get; init; }
    [Id(10)] public double? ResumedProgress { get; init; }
    [Id(11)] public DateTimeOffset? EndedAt { get; init; }
    /// <summary>Null while the incident is open.</summary>
    [Id(12)] public bool? Succeeded { get; init; }
    [Id(13)] public string? Outcome { get; init; }
    [Id(14)] public IReadOnlyList<RecoveryStep> Steps { get; init; } = [];
    /// <summary>The node holding the image restored from; differs from <see cref="NodeId"/> when the image was moved.</summary>
    [Id(60)] public string? CheckpointNodeId { get; init; }
}
