using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Agent report: the job's root process ended with ExitCode or by Signal.</summary>
public sealed record JobProcessExited(string JobId, string NodeId, int? ExitCode, int? Signal, DateTimeOffset At);
