using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Agent report: the job is running with host PID Pid.</summary>
[GenerateSerializer, Immutable]
public sealed record JobLaunched([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] int Pid, [property: Id(3)] DateTimeOffset At);
