using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Agent report: the job runs again from checkpoint Sequence.</summary>
public sealed record RestoreCompleted(string JobId, string NodeId, Guid IncidentId, int Sequence, int Pid, DateTimeOffset At);
