namespace Caas.Contracts.Bus;

/// <summary>
/// An agent's answer to a <see cref="RankStep"/> or <see cref="LaunchRank"/> that was carried out. For a Dump,
/// <paramref name="PauseMilliseconds"/> and <paramref name="DumpMilliseconds"/> are the engine's timings and
/// <paramref name="ImageBytes"/> the size of the rank's images; zero otherwise.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RankStepDone(
    [property: Id(0)] string JobId,
    [property: Id(1)] int Rank,
    [property: Id(2)] string NodeId,
    [property: Id(3)] RankStepKind? Kind,
    [property: Id(4)] double PauseMilliseconds,
    [property: Id(5)] double DumpMilliseconds,
    [property: Id(6)] long ImageBytes);
