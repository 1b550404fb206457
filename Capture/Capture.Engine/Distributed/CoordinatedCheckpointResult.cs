namespace Caas.Capture.Engine.Distributed;

/// <summary>
/// What one coordinated checkpoint did: each rank's own dump timings (in rank order) and how long the job's network
/// was locked, from the first rank's lock to the last rank's unlock (or stop): the job's downtime.
/// </summary>
public sealed record CoordinatedCheckpointResult(IReadOnlyList<CheckpointTimings> Ranks, TimeSpan NetworkLocked);
