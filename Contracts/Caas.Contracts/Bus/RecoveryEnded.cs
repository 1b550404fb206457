using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Recovery: the incident's saga ended; Outcome says how, for people.</summary>
public sealed record RecoveryEnded(Guid IncidentId, string JobId, bool Succeeded, string Outcome, DateTimeOffset At);
