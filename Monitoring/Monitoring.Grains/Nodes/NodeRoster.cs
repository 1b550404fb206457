using Caas.Contracts.Policies;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Grains.Nodes;

/// <summary>
/// The node directory's knowledge, free of Orleans so its rules can be driven by a fake clock: the last status each
/// agent sent, its liveness, which nodes are drained, and the jobs placed on a node that its heartbeats do not count
/// yet (so a burst of submits spreads out before the agents report them).
/// </summary>
public sealed class NodeRoster(TimeProvider time, IPlatformHearing? hearing = null)
{
    /// <summary>
    /// A placement its node has not reported running stops counting after this many of its heartbeats: a launch shows
    /// in the next one or the one after, so by then the job failed to start or its launch was lost.
    /// </summary>
    public const int PendingForHeartbeats = 2;

    private readonly Dictionary<string, KnownNode> _nodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _drained = new(StringComparer.Ordinal);

    public NodeLivenessDetector Liveness { get; } = new(time, hearing);

    public void RecordHeartbeat(NodeStatus node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (string.IsNullOrWhiteSpace(node.NodeId))
            throw new ArgumentException("A node heartbeat needs a node id.", nameof(node));
        Liveness.RecordHeartbeat(node.NodeId, node.HeartbeatInterval);
        // A heartbeat may come between a placement and its launch: only as many placements as the running count grew
        // by are now counted by the agent; the others stay pending until they show or time out.
        var pending = _nodes.TryGetValue(node.NodeId, out var known)
            ? known.Pending.Skip(Math.Max(0, node.RunningJobs - known.Status.RunningJobs)).Select(heartbeats => heartbeats + 1).Where(heartbeats => heartbeats <= PendingForHeartbeats).ToArray()
            : [];
        _nodes[node.NodeId] = new KnownNode(node, pending);
    }

    public bool Knows(string nodeId) => _nodes.ContainsKey(nodeId);

    /// <returns>True when this changed the node's drain state.</returns>
    public bool SetDrained(string nodeId, bool drained) => drained ? _drained.Add(nodeId) : _drained.Remove(nodeId);

    public IReadOnlyList<NodeStatus> List() =>
        _nodes.Values.Select(n => Seen(n.Status)).OrderBy(n => n.NodeId, StringComparer.Ordinal).ToArray();

    public NodeStatus? Find(string nodeId) => _nodes.TryGetValue(nodeId, out var known) ? Seen(known.Status) : null;

    /// <param name="reserve">Count the choice as a job placed on the node until its heartbeats show it; false for a node chosen to hold a copy of an image.</param>
    public PlacementDecision Choose(JobSpec spec, IReadOnlyCollection<string>? excluded = null, bool reserve = true)
    {
        var decision = NodePlacement.Choose(spec, List(), id => _nodes[id].Pending.Count, excluded);
        if (reserve && decision.NodeId is { } chosen)
            _nodes[chosen] = _nodes[chosen] with { Pending = [.. _nodes[chosen].Pending, 0] };
        return decision;
    }

    /// <summary>
    /// One node per rank, each the best of those left (<see cref="NodePlacement"/>), reserved only when every rank found
    /// one; otherwise why not, and whether the pool and labels could ever hold that many ranks.
    /// </summary>
    public RankPlacementDecision ChooseRanks(JobSpec spec, int ranks, IReadOnlyCollection<string> excluded)
    {
        var eligible = List().Count(n => !excluded.Contains(n.NodeId) && (spec.Pool is null || n.Pool == spec.Pool) && NodeLabelRules.Satisfies(n.Labels, spec.NodeLabels));
        var where = spec.Pool is null ? "" : $" in pool '{spec.Pool}'";
        if (eligible < ranks)
            return new RankPlacementDecision(null,
                $"a job of {ranks} ranks needs {ranks} distinct nodes{where}{(spec.NodeLabels.Count > 0 ? $" with labels {NodeLabelRules.Describe(spec.NodeLabels)}" : "")}; there are {eligible}", Never: true);
        var chosen = new List<string>();
        while (chosen.Count < ranks)
        {
            var decision = Choose(spec, [.. excluded, .. chosen], reserve: false);
            if (decision.NodeId is not { } node)
                return new RankPlacementDecision(null, $"{chosen.Count} of {ranks} ranks found a node: {decision.Problem}");
            chosen.Add(node);
        }
        foreach (var node in chosen)
            _nodes[node] = _nodes[node] with { Pending = [.. _nodes[node].Pending, 0] };
        return new RankPlacementDecision(chosen, null);
    }

    /// <summary>As <see cref="Choose"/> for a job recovery brings back, within what its policy allows (<see cref="RecoveryPlacement"/>); reserves the slot.</summary>
    public PlacementDecision ChooseForRecovery(JobSpec spec, IReadOnlyCollection<string> excluded, RecoveryTargets? targets, CheckpointInfo? image)
    {
        var decision = RecoveryPlacement.Choose(spec, targets, image, List(), id => _nodes[id].Pending.Count, excluded);
        if (decision.NodeId is { } chosen)
            _nodes[chosen] = _nodes[chosen] with { Pending = [.. _nodes[chosen].Pending, 0] };
        return decision;
    }

    public TimeSpan HeartbeatIntervalOf(string nodeId) => _nodes.TryGetValue(nodeId, out var known) ? known.Status.HeartbeatInterval : TimeSpan.Zero;

    /// <summary>The agent's own report, with what only the directory knows: health and drain state.</summary>
    private NodeStatus Seen(NodeStatus reported) => reported with
    {
        Health = Liveness.HealthOf(reported.NodeId) ?? NodeHealth.Live,
        Drained = _drained.Contains(reported.NodeId),
    };

    /// <param name="Pending">For each placement not yet counted in the node's running jobs, oldest first, how many heartbeats came since.</param>
    private sealed record KnownNode(NodeStatus Status, IReadOnlyList<int> Pending);
}
