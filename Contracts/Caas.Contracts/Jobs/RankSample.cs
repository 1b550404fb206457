namespace Caas.Contracts.Jobs;

/// <summary>
/// One look at a rank of a distributed job, taken by the agent that holds it, in the same way and with the same
/// figures as a job's own sample (<see cref="JobSample"/>: CPU time and I/O bytes of the rank's process tree, the
/// root's kernel state); it has no progress, as ranks report none.
/// </summary>
/// <param name="Generation">The rank's run on this agent (a restore starts another): its counters start afresh.</param>
[GenerateSerializer, Immutable]
public sealed record RankSample([property: Id(0)] int Rank, [property: Id(1)] int Generation, [property: Id(2)] JobSample Sample);
