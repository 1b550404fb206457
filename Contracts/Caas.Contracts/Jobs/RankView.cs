namespace Caas.Contracts.Jobs;

/// <summary>One rank of a distributed job as the API and portal show it.</summary>
/// <param name="LastActivityAt">When the rank last showed activity (CPU time or I/O bytes growing); null before its agent's samples showed any (it counts from the job's start or restore then).</param>
/// <param name="ProcessState">Kernel state letter of the rank's root process in its last sample (T: stopped); null before the first.</param>
[GenerateSerializer, Immutable]
public sealed record RankView(
    [property: Id(0)] int Rank,
    [property: Id(1)] string NodeId,
    [property: Id(2)] string Address,
    [property: Id(3)] RankState State,
    [property: Id(4)] int? ExitCode = null,
    [property: Id(5)] int? ExitSignal = null,
    [property: Id(240)] DateTimeOffset? LastActivityAt = null,
    [property: Id(241)] string? ProcessState = null);
