using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>
/// Command to one agent: end the job's whole process tree. With UpToEpoch set only a copy of that epoch or older is killed
/// (a stale copy's kill that arrives after a newer placement on the same node must not end the new copy).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KillJob([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] string Reason, [property: Id(140)] long? UpToEpoch = null);
