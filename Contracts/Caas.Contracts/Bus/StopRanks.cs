using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Stop (kill, and free the namespace of) every rank of a distributed job that still runs; <paramref name="Reason"/> says why.</summary>
[GenerateSerializer, Immutable]
public sealed record StopRanks([property: Id(0)] string JobId, [property: Id(1)] IReadOnlyList<RankAssignment> Ranks, [property: Id(2)] string Reason);
