namespace Caas.Recovery.Sagas;

/// <summary>One incident's recovery as the portal shows it.</summary>
public sealed record RecoveryIncident
{
    public required Guid IncidentId { get; init; }
    public required string JobId { get; init; }
    /// <summary>Restoring, Verifying, Recovered, Failed or NotAttempted.</summary>
    public required string State { get; init; }
    public required string Reason { get; init; }
    public int? Sequence { get; init; }
    public string? NodeId { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? RestoredAt { get; init; }
    public int? RestoredPid { get; init; }
    public DateTimeOffset? VerifiedAt { get; init; }
    public double? ResumedProgress { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    /// <summary>Null while the incident is open.</summary>
    public bool? Succeeded { get; init; }
    public string? Outcome { get; init; }
    public IReadOnlyList<RecoveryStep> Steps { get; init; } = [];

    public static RecoveryIncident From(RecoverySagaState saga) => new()
    {
        IncidentId = saga.CorrelationId,
        JobId = saga.JobId,
        State = saga.CurrentState,
        Reason = saga.Reason,
        Sequence = saga.Sequence,
        NodeId = saga.NodeId,
        StartedAt = saga.StartedAt,
        RestoredAt = saga.RestoredAt,
        RestoredPid = saga.RestoredPid,
        VerifiedAt = saga.VerifiedAt,
        ResumedProgress = saga.ResumedProgress,
        EndedAt = saga.EndedAt,
        Succeeded = saga.Succeeded,
        Outcome = saga.Outcome,
        Steps = saga.Steps.ToList(),
    };
}
