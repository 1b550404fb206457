namespace Caas.Capture.Engine;

/// <summary>
/// A running job's root process. The start time (clock ticks since boot, from /proc/PID/stat) makes
/// the identity exact: a PID reused by another process after the job ended never matches.
/// </summary>
public sealed record JobHandle(string JobId, string StateDirectory, int Pid, ulong StartTicks);
