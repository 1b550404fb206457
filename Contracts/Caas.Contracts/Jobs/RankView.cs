namespace Caas.Contracts.Jobs;

/// <summary>One rank of a distributed job as the API and portal show it.</summary>
[GenerateSerializer, Immutable]
public sealed record RankView(
    [property: Id(0)] int Rank,
    [property: Id(1)] string NodeId,
    [property: Id(2)] string Address,
    [property: Id(3)] RankState State,
    [property: Id(4)] int? ExitCode = null,
    [property: Id(5)] int? ExitSignal = null);
