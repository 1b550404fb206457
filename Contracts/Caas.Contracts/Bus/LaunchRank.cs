namespace Caas.Contracts.Bus;

/// <summary>
/// Request to one agent: start rank <paramref name="Rank"/> of a distributed job in a network namespace of its own
/// carrying <c>Addresses[Rank]</c> on the rank fabric, with <c>CAAS_RANK</c>, <c>CAAS_RANKS</c> (the number of
/// addresses) and <c>CAAS_RANK_ADDRESSES</c> (the addresses, comma-separated, index = rank) in its environment.
/// Answered with <see cref="RankStepDone"/> (Kind null) once the rank runs, or <see cref="RankStepFailed"/>.
/// </summary>
/// <param name="Addresses">Every rank's IPv4 address, as the platform allocated them.</param>
[GenerateSerializer, Immutable]
public sealed record LaunchRank(
    [property: Id(0)] string JobId,
    [property: Id(1)] int Rank,
    [property: Id(2)] string NodeId,
    [property: Id(3)] IReadOnlyList<string> Addresses,
    [property: Id(4)] string Command,
    [property: Id(5)] IReadOnlyList<string> Args);
