using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Monitoring.Grains;

/// <summary>
/// The live node agents and placement over them. In memory: agents heartbeat every few seconds, so after a
/// restart the directory is complete again within one interval.
/// </summary>
public sealed class NodeDirectoryGrain([FromKeyedServices(MonitoringClock.Key)] TimeProvider time) : Grain, INodeDirectoryGrain
{
    /// <summary>Agents heartbeat every 5 s; three missed heartbeats and a node is not offered for placement.</summary>
    public static readonly TimeSpan LiveWithin = TimeSpan.FromSeconds(3 * 5);

    private readonly Dictionary<string, KnownNode> _nodes = new(StringComparer.Ordinal);

    public Task RecordHeartbeat(NodeStatus node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (string.IsNullOrWhiteSpace(node.NodeId))
            throw new ArgumentException("A node heartbeat needs a node id.", nameof(node));
        _nodes[node.NodeId] = new KnownNode(node, time.GetUtcNow(), PlacedSinceHeartbeat: 0);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<NodeStatus>> List() =>
        Task.FromResult<IReadOnlyList<NodeStatus>>(_nodes.Values.Select(n => n.Status).OrderBy(n => n.NodeId, StringComparer.Ordinal).ToArray());

    public Task<string?> Choose(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var now = time.GetUtcNow();
        var chosen = _nodes.Values
            .Where(n => now - n.SeenAt <= LiveWithin)
            .Where(n => spec.Pool is null || string.Equals(n.Status.Pool, spec.Pool, StringComparison.Ordinal))
            .Select(n => (Node: n, Free: n.Status.JobSlots - n.Status.RunningJobs - n.PlacedSinceHeartbeat))
            .Where(n => n.Free > 0)
            .OrderByDescending(n => n.Free)
            .ThenBy(n => n.Node.Status.NodeId, StringComparer.Ordinal)
            .Select(n => n.Node)
            .FirstOrDefault();
        if (chosen is null)
            return Task.FromResult<string?>(null);
        // Count placements until the node's next heartbeat reports them, so a burst of submits spreads out.
        _nodes[chosen.Status.NodeId] = chosen with { PlacedSinceHeartbeat = chosen.PlacedSinceHeartbeat + 1 };
        return Task.FromResult<string?>(chosen.Status.NodeId);
    }

    private sealed record KnownNode(NodeStatus Status, DateTimeOffset SeenAt, int PlacedSinceHeartbeat);
}
