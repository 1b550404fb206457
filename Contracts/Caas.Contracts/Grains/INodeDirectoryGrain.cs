using Caas.Contracts.Jobs;

namespace Caas.Contracts.Grains;

/// <summary>The platform's list of node agents and the placement decision over it (one instance, key 0).</summary>
public interface INodeDirectoryGrain : IGrainWithIntegerKey
{
    Task RecordHeartbeat(NodeStatus node);
    Task<IReadOnlyList<NodeStatus>> List();
    /// <returns>The node to run the job on, or null when no live node in the job's pool has a free slot.</returns>
    Task<string?> Choose(JobSpec spec);
}
