using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Monitoring.Grains.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains;

/// <summary>
/// The node agents, their liveness, and placement over the live ones. In memory: agents heartbeat every few seconds,
/// so after a restart the directory is complete again within one interval (every node then counts as first heard of).
/// </summary>
public sealed class NodeDirectoryGrain(
    [FromKeyedServices(MonitoringClock.Key)] TimeProvider time,
    ILogger<NodeDirectoryGrain> logger)
    : Grain, INodeDirectoryGrain, INodeLivenessGrain
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, KnownNode> _nodes = new(StringComparer.Ordinal);
    private readonly NodeLivenessDetector _liveness = new(time);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        // Losses are found by the clock, not by a message, so someone must look even when no agent speaks.
        this.RegisterGrainTimer(Watch, new GrainTimerCreationOptions(WatchInterval, WatchInterval) { KeepAlive = true });
    }

    public Task RecordHeartbeat(NodeStatus node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (string.IsNullOrWhiteSpace(node.NodeId))
            throw new ArgumentException("A node heartbeat needs a node id.", nameof(node));
        _liveness.RecordHeartbeat(node.NodeId, node.HeartbeatInterval);
        _nodes[node.NodeId] = new KnownNode(node, PlacedSinceHeartbeat: 0);
        Announce();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<NodeStatus>> List() =>
        Task.FromResult<IReadOnlyList<NodeStatus>>(_nodes.Values.Select(n => n.Status).OrderBy(n => n.NodeId, StringComparer.Ordinal).ToArray());

    public Task<string?> Choose(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var chosen = _nodes.Values
            .Where(n => _liveness.HealthOf(n.Status.NodeId) == NodeHealth.Live)
            .Where(n => spec.Pool is null || string.Equals(n.Status.Pool, spec.Pool, StringComparison.Ordinal))
            .Select(n => (Node: n, Free: n.Status.JobSlots - n.Status.RunningJobs - n.PlacedSinceHeartbeat))
            .Where(n => n.Free > 0)
            .OrderByDescending(n => n.Free)
            .ThenBy(n => n.Node.Status.NodeId, StringComparer.Ordinal)
            .Select(n => n.Node)
            .FirstOrDefault();
        Announce();
        if (chosen is null)
            return Task.FromResult<string?>(null);
        // Count placements until the node's next heartbeat reports them, so a burst of submits spreads out.
        _nodes[chosen.Status.NodeId] = chosen with { PlacedSinceHeartbeat = chosen.PlacedSinceHeartbeat + 1 };
        return Task.FromResult<string?>(chosen.Status.NodeId);
    }

    public Task<IReadOnlyList<NodeLiveness>> Liveness() => Task.FromResult(_liveness.List());

    public Task<IReadOnlyList<NodeLivenessChange>> Changes() => Task.FromResult(_liveness.Changes());

    private Task Watch(CancellationToken cancellationToken)
    {
        Announce();
        return Task.CompletedTask;
    }

    private void Announce()
    {
        foreach (var change in _liveness.Evaluate())
        {
            var interval = _nodes.TryGetValue(change.NodeId, out var known) ? known.Status.HeartbeatInterval : TimeSpan.Zero;
            if (change.Health == NodeHealth.Lost)
                logger.LogWarning("Node {NodeId} lost: no heartbeat for {Timeout} as of {At}", change.NodeId, NodeLivenessDetector.LostAfterFor(interval), change.At);
            else
                logger.LogInformation("Node {NodeId} is back: heartbeating for {Probation} as of {At}", change.NodeId, NodeLivenessDetector.ProbationFor(interval), change.At);
        }
    }

    private sealed record KnownNode(NodeStatus Status, int PlacedSinceHeartbeat);
}
