namespace Caas.Monitoring.Grains.Policies;

/// <summary>Where the job stood when the incident happened: its node and pool (null when unknown) and whether it has a checkpoint to restore.</summary>
public sealed record PolicyContext(string? NodeId, string? Pool, bool HasCheckpoint);
