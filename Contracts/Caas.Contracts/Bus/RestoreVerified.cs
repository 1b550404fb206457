using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Monitoring: after a restore the job heartbeated with progress at least that of its checkpoint.</summary>
public sealed record RestoreVerified(Guid IncidentId, string JobId, double? Progress, DateTimeOffset At);
