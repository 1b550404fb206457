using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Agent report: the restore failed.</summary>
[GenerateSerializer, Immutable]
public sealed record RestoreRejected([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] Guid IncidentId, [property: Id(3)] int Sequence, [property: Id(4)] string Reason, [property: Id(5)] DateTimeOffset At);
