using Caas.Contracts.Jobs;

namespace Caas.Contracts.Services;

/// <summary>What operators can ask of nodes. Every call either does what it says or throws <see cref="OperationRejectedException"/> having changed nothing.</summary>
public interface INodeOperations
{
    /// <summary>The node takes no new jobs; the jobs it runs keep running. Draining a drained node changes nothing.</summary>
    /// <returns>The node after the change.</returns>
    Task<NodeStatus> DrainAsync(string nodeId, CancellationToken cancellationToken = default);
    /// <summary>The node takes new jobs again.</summary>
    Task<NodeStatus> UndrainAsync(string nodeId, CancellationToken cancellationToken = default);
}
