using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Monitoring: after a restore the job heartbeated with progress at least that of its checkpoint.</summary>
[GenerateSerializer, Immutable]
public sealed record RestoreVerified([property: Id(0)] Guid IncidentId, [property: Id(1)] string JobId, [property: Id(2)] double? Progress, [property: Id(3)] DateTimeOffset At);
