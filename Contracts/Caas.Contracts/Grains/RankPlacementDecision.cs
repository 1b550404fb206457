namespace Caas.Contracts.Grains;

/// <summary>
/// Where the ranks of a distributed job go: one distinct node per rank (index = rank), or why not. <paramref name="Never"/>:
/// the job's pool and labels do not even have as many nodes as ranks, so waiting would not help (the submit is refused).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RankPlacementDecision([property: Id(0)] IReadOnlyList<string>? NodeIds, [property: Id(1)] string? Problem, [property: Id(2)] bool Never = false);
