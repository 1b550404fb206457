namespace Caas.Monitoring.Grains.Nodes;

/// <summary>
/// Node liveness as the node directory (key 0) tracks it. Monitoring's own interface until the shared contracts
/// carry liveness in <c>NodeStatus</c>.
/// </summary>
public interface INodeLivenessGrain : IGrainWithIntegerKey
{
    /// <summary>Every node heard of, by node id.</summary>
    Task<IReadOnlyList<NodeLiveness>> Liveness();
    /// <summary>The lost/back transitions announced so far, oldest first (the newest <see cref="NodeLivenessDetector.ChangesKept"/>).</summary>
    Task<IReadOnlyList<NodeLivenessChange>> Changes();
}
