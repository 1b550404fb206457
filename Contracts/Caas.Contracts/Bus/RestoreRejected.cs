using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Agent report: the restore failed.</summary>
public sealed record RestoreRejected(string JobId, string NodeId, Guid IncidentId, int Sequence, string Reason, DateTimeOffset At);
