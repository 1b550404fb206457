using Caas.Monitoring.Grains.Policies;

namespace Caas.Monitoring.Grains.Nodes;

/// <summary>The node directory (key 0) as the source of each pool's observed failures, for adaptive checkpoint intervals.</summary>
public interface IPoolReliabilityGrain : IGrainWithIntegerKey
{
    /// <summary>Node time and node losses seen in <paramref name="pool"/> since its nodes were first heard of (kept across restarts).</summary>
    Task<PoolReliability> Reliability(string pool);
    /// <summary>The pool of a node heard of; null for an unknown node.</summary>
    Task<string?> PoolOf(string nodeId);
}
