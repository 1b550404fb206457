namespace Caas.Monitoring.Grains.Policies;

/// <summary>
/// What the node directory has seen of a pool: node time observed (sum over its nodes of the time since each was first
/// heard of) and node losses, both kept across restarts in the liveness journal. M, the mean time between failures of
/// one node, is their ratio.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PoolReliability([property: Id(0)] string Pool, [property: Id(1)] TimeSpan NodeTime, [property: Id(2)] int Failures)
{
    /// <summary>Null until a failure is seen: no failure in little time says little.</summary>
    public TimeSpan? MeanTimeBetweenFailures => Failures > 0 ? NodeTime / Failures : null;
}
