namespace Caas.Contracts.Bus;

/// <summary>An agent's answer to a <see cref="RankStep"/> or <see cref="LaunchRank"/> it refused or could not carry out; Reason is for people.</summary>
/// <param name="Kind">The step that failed; null for a <see cref="LaunchRank"/>.</param>
[GenerateSerializer, Immutable]
public sealed record RankStepFailed(
    [property: Id(0)] string JobId,
    [property: Id(1)] int Rank,
    [property: Id(2)] string NodeId,
    [property: Id(3)] RankStepKind? Kind,
    [property: Id(4)] string Reason);
