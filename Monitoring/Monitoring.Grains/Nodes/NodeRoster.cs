using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Grains.Nodes;

/// <summary>
/// The node directory's knowledge, free of Orleans so its rules can be driven by a fake clock: the last status each
/// agent sent, its liveness, which nodes are drained, and the jobs placed since a node's last heartbeat (so a burst
/// of submits spreads out before the agents report them).
/// </summary>
public sealed class NodeRoster(TimeProvider time)
{
    private readonly Dictionary<string, KnownNode> _nodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _drained = new(StringComparer.Ordinal);

    public NodeLivenessDetector Liveness { get; } = new(time);

    public void RecordHeartbeat(NodeStatus node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (string.IsNullOrWhiteSpace(node.NodeId))
            throw new ArgumentException("A node heartbeat needs a node id.", nameof(node));
        Liveness.RecordHeartbeat(node.NodeId, node.HeartbeatInterval);
        _nodes[node.NodeId] = new KnownNode(node, PlacedSinceHeartbeat: 0);
    }

    public bool Knows(string nodeId) => _nodes.ContainsKey(nodeId);

    /// <returns>True when this changed the node's drain state.</returns>
    public bool SetDrained(string nodeId, bool drained) => drained ? _drained.Add(nodeId) : _drained.Remove(nodeId);

    public IReadOnlyList<NodeStatus> List() =>
        _nodes.Values.Select(n => Seen(n.Status)).OrderBy(n => n.NodeId, StringComparer.Ordinal).ToArray();

    public NodeStatus? Find(string nodeId) => _nodes.TryGetValue(nodeId, out var known) ? Seen(known.Status) : null;

    public PlacementDecision Choose(JobSpec spec)
    {
        var decision = NodePlacement.Choose(spec, List(), id => _nodes[id].PlacedSinceHeartbeat);
        if (decision.NodeId is { } chosen)
            _nodes[chosen] = _nodes[chosen] with { PlacedSinceHeartbeat = _nodes[chosen].PlacedSinceHeartbeat + 1 };
        return decision;
    }

    public TimeSpan HeartbeatIntervalOf(string nodeId) => _nodes.TryGetValue(nodeId, out var known) ? known.Status.HeartbeatInterval : TimeSpan.Zero;

    /// <summary>The agent's own report, with what only the directory knows: health and drain state.</summary>
    private NodeStatus Seen(NodeStatus reported) => reported with
    {
        Health = Liveness.HealthOf(reported.NodeId) ?? NodeHealth.Live,
        Drained = _drained.Contains(reported.NodeId),
    };

    private sealed record KnownNode(NodeStatus Status, int PlacedSinceHeartbeat);
}
