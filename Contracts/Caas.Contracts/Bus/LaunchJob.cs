using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Command to one agent: start this job now.</summary>
[GenerateSerializer, Immutable]
public sealed record LaunchJob([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] JobSpec Spec);
