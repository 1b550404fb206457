using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>
/// Restore every rank of a distributed job from coordinated checkpoint <paramref name="Sequence"/> on the nodes
/// <paramref name="To"/> names, moving each rank's bundle from the node in <paramref name="From"/> that holds it first.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RestoreRanks([property: Id(0)] string JobId, [property: Id(1)] Guid IncidentId, [property: Id(2)] int Sequence,
    [property: Id(3)] IReadOnlyList<RankAssignment> From, [property: Id(4)] IReadOnlyList<RankAssignment> To);
