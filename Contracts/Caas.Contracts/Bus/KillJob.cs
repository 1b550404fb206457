using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Command to one agent: end the job's whole process tree.</summary>
[GenerateSerializer, Immutable]
public sealed record KillJob([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] string Reason);
