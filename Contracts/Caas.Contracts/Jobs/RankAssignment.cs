namespace Caas.Contracts.Jobs;

/// <summary>Where one rank of a distributed job runs (or is to run) and the address the platform gave it on the rank fabric.</summary>
[GenerateSerializer, Immutable]
public sealed record RankAssignment([property: Id(0)] int Rank, [property: Id(1)] string NodeId, [property: Id(2)] string Address);
