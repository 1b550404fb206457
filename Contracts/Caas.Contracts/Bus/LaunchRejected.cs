using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Agent report: the job could not be launched.</summary>
public sealed record LaunchRejected(string JobId, string NodeId, string Reason, DateTimeOffset At);
