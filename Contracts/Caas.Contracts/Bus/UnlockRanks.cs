using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>
/// Let the network of every rank of a distributed job flow again: coordinated checkpoint <paramref name="Sequence"/>
/// was given up (no outcome in time: the host driving it may have stopped between lock and unlock). Unlocking a rank
/// that is not locked changes nothing.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record UnlockRanks([property: Id(0)] string JobId, [property: Id(1)] int Sequence, [property: Id(2)] IReadOnlyList<RankAssignment> Ranks,
    [property: Id(3)] string Reason);
