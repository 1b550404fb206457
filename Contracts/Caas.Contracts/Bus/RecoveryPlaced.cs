namespace Caas.Contracts.Bus;

/// <summary>Monitoring: the job of the incident goes to NodeId (live, in its pool, with a usable engine and a free slot).</summary>
[GenerateSerializer, Immutable]
public sealed record RecoveryPlaced([property: Id(0)] Guid IncidentId, [property: Id(1)] string JobId, [property: Id(2)] string NodeId, [property: Id(3)] int Attempt, [property: Id(4)] DateTimeOffset At);
