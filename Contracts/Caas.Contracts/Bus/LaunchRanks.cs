using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Start every rank of a distributed job on its node, at its address, all at once; placement <paramref name="Epoch"/> names which placement.</summary>
[GenerateSerializer, Immutable]
public sealed record LaunchRanks([property: Id(0)] string JobId, [property: Id(1)] long Epoch, [property: Id(2)] IReadOnlyList<RankAssignment> Ranks,
    [property: Id(3)] string Command, [property: Id(4)] IReadOnlyList<string> Args);
