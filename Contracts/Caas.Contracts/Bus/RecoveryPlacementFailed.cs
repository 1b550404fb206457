namespace Caas.Contracts.Bus;

/// <summary>Monitoring: no node fits the incident's job now; Reason says which rule left none (for people).</summary>
[GenerateSerializer, Immutable]
public sealed record RecoveryPlacementFailed([property: Id(0)] Guid IncidentId, [property: Id(1)] string JobId, [property: Id(2)] string Reason, [property: Id(3)] int Attempt, [property: Id(4)] DateTimeOffset At);
