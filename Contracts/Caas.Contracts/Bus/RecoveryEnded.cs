using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Recovery: the incident's saga ended; Outcome says how, for people.</summary>
[GenerateSerializer, Immutable]
public sealed record RecoveryEnded([property: Id(0)] Guid IncidentId, [property: Id(1)] string JobId, [property: Id(2)] bool Succeeded, [property: Id(3)] string Outcome, [property: Id(4)] DateTimeOffset At);
