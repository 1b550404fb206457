namespace Caas.Monitoring.Grains.Policies;

/// <summary>
/// Where the job stood when the incident happened: its node and pool (null when unknown), whether it has a checkpoint to
/// restore, and whether it could be checkpointed now (running on its node, no other checkpoint under way, not stopped),
/// as a policy's move does before moving it.
/// </summary>
public sealed record PolicyContext(string? NodeId, string? Pool, bool HasCheckpoint, bool CanCheckpointNow = false);
