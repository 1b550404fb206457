namespace Caas.Contracts.Events;

/// <summary>
/// What the platform keeps of a rank's samples. Not every sample: one when the rank's process state changes, when it
/// moves again after the job stalled, or when its recorded activity is older than the refresh the grain keeps
/// (docs/capture.md, "Stall of a distributed job"); the samples between stay in the grain's memory.
/// </summary>
/// <param name="LastActivityAt">When the rank last showed activity (CPU time or I/O bytes growing), if it did since the job started or was restored.</param>
/// <param name="Moved">The sample this records showed activity (then LastActivityAt is its time).</param>
[EventType("RankActivityRecorded")]
[GenerateSerializer, Immutable]
public sealed record RankActivityRecorded([property: Id(0)] string JobId, [property: Id(1)] int Rank, [property: Id(2)] string NodeId,
    [property: Id(3)] string ProcessState, [property: Id(4)] DateTimeOffset? LastActivityAt, [property: Id(5)] bool Moved, [property: Id(6)] DateTimeOffset At) : IJobEvent;
