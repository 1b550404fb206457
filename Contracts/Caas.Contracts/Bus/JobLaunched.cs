using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Agent report: the job is running with host PID Pid.</summary>
public sealed record JobLaunched(string JobId, string NodeId, int Pid, DateTimeOffset At);
