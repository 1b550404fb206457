using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>
/// Coordinated checkpoint <paramref name="Sequence"/> of every rank of a distributed job (lock all, dump all, then unlock
/// all, or stop all when <paramref name="Stop"/>); any rank that fails aborts it and the job runs on.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CheckpointRanks([property: Id(0)] string JobId, [property: Id(1)] int Sequence, [property: Id(2)] IReadOnlyList<RankAssignment> Ranks,
    [property: Id(3)] bool Stop);
