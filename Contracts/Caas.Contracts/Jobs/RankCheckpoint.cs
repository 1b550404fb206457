namespace Caas.Contracts.Jobs;

/// <summary>
/// One rank's share of a coordinated checkpoint: the signed bundle the agent of <paramref name="NodeId"/> holds for it,
/// taken at <paramref name="Address"/> (a restore must give the rank that address again).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RankCheckpoint(
    [property: Id(0)] int Rank,
    [property: Id(1)] string NodeId,
    [property: Id(2)] string Address,
    [property: Id(3)] TimeSpan AppPause,
    [property: Id(4)] TimeSpan Dump);
