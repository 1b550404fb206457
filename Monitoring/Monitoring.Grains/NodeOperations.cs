using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;

namespace Caas.Monitoring.Grains;

/// <summary>What operators ask of nodes, carried out by the node directory (which refuses an unknown node, changing nothing).</summary>
public sealed class NodeOperations(IGrainFactory grains) : INodeOperations
{
    public Task<NodeStatus> DrainAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return grains.GetGrain<INodeDirectoryGrain>(0).Drain(nodeId);
    }

    public Task<NodeStatus> UndrainAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return grains.GetGrain<INodeDirectoryGrain>(0).Undrain(nodeId);
    }
}
