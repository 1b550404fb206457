namespace Caas.Contracts.Jobs;

/// <summary>A rank named in a distributed job's stall: silent for the job's stall threshold, or its process stopped.</summary>
/// <param name="LastActivityAt">When it last showed activity (or the job started or was restored, if it never did since).</param>
/// <param name="ProcessState">Kernel state letter of its root process in its last sample; null when none came.</param>
[GenerateSerializer, Immutable]
public sealed record RankStall([property: Id(0)] int Rank, [property: Id(1)] string NodeId, [property: Id(2)] DateTimeOffset LastActivityAt,
    [property: Id(3)] string? ProcessState)
{
    /// <summary>"rank 1 on rk-2 (process stopped, state T)": a stopped rank wants a SIGCONT, not a restore.</summary>
    public string Describe() => $"rank {Rank} on {NodeId}" + (ProcessState is "T" or "t" ? $" (process stopped, state {ProcessState})" : "");
}
