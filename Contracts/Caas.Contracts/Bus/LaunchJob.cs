using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Command to one agent: start this job now.</summary>
public sealed record LaunchJob(string JobId, string NodeId, JobSpec Spec);
