namespace Caas.Contracts.Bus;

/// <summary>
/// Request to the agent that holds rank <paramref name="Rank"/> of the distributed job <paramref name="JobId"/>:
/// carry out one step of a coordinated checkpoint or restore. Answered with <see cref="RankStepDone"/> or
/// <see cref="RankStepFailed"/>. Images are never named by path: a dump writes and a restore reads the agent's own
/// images of checkpoint <paramref name="Sequence"/>.
/// </summary>
/// <param name="Sequence">The checkpoint a Dump writes or a Restore reads; ignored by the other steps.</param>
/// <param name="Address">The rank's address on the fabric, for Prepare; ignored by the other steps.</param>
[GenerateSerializer, Immutable]
public sealed record RankStep(
    [property: Id(0)] string JobId,
    [property: Id(1)] int Rank,
    [property: Id(2)] string NodeId,
    [property: Id(3)] RankStepKind Kind,
    [property: Id(4)] int Sequence,
    [property: Id(5)] string? Address);
