using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>
/// Agent report: the job's root process ended with ExitCode or by Signal. When neither says why, Reason does: the
/// engine's own error, or that the process vanished without leaving a status. OutOfMemory: the kernel's OOM killer
/// sent the signal because the job reached its memory limit.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record JobProcessExited([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] int? ExitCode, [property: Id(3)] int? Signal, [property: Id(4)] DateTimeOffset At, [property: Id(5)] string? Reason = null, [property: Id(6)] bool OutOfMemory = false);
