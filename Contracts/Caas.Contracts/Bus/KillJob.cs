using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Command to one agent: end the job's whole process tree.</summary>
public sealed record KillJob(string JobId, string NodeId, string Reason);
