using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Grains.Nodes;

/// <summary>
/// The placement rules, in the order a person would check them: the job's pool, its required labels, the node
/// live, not drained, with a usable checkpoint engine, and a free job slot; of the nodes left, the least loaded
/// (smallest share of its slots busy, then most free slots, then node id, so the choice is stable). When nothing
/// fits, the reason names the first rule that left no node, so the queued job says what to fix.
/// </summary>
public static class NodePlacement
{
    /// <summary>How the problem of a placement that failed only for want of a free slot begins: the pool is over-subscribed.</summary>
    public const string FullProblemStart = "every usable node";

    /// <param name="nodes">Every known node with its health and drain state filled in.</param>
    /// <param name="placedSinceHeartbeat">Jobs placed on a node that its running count does not show yet.</param>
    /// <param name="excluded">Nodes never to choose (a lost node whose job comes back elsewhere); none when null.</param>
    public static PlacementDecision Choose(JobSpec spec, IReadOnlyCollection<NodeStatus> nodes, Func<string, int> placedSinceHeartbeat, IReadOnlyCollection<string>? excluded = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (nodes.Count == 0)
            return PlacementDecision.Nowhere("no node agent has registered yet");

        IEnumerable<NodeStatus> fitting = nodes;
        var wanted = "";
        if (excluded is { Count: > 0 })
        {
            fitting = fitting.Where(n => !excluded.Contains(n.NodeId)).ToArray();
            wanted = $" other than {string.Join(", ", excluded.Order(StringComparer.Ordinal))}";
            if (!fitting.Any())
                return PlacementDecision.Nowhere($"no node{wanted}");
        }
        if (spec.Pool is { } pool)
        {
            fitting = fitting.Where(n => string.Equals(n.Pool, pool, StringComparison.Ordinal)).ToArray();
            wanted += $" in pool '{pool}'";
            if (!fitting.Any())
                return PlacementDecision.Nowhere($"no node{wanted} (pools: {string.Join(", ", nodes.Select(n => n.Pool).Distinct().Order(StringComparer.Ordinal))})");
        }
        if (spec.NodeLabels.Count > 0)
        {
            fitting = fitting.Where(n => NodeLabelRules.Satisfies(n.Labels, spec.NodeLabels)).ToArray();
            wanted += $" with labels {NodeLabelRules.Describe(spec.NodeLabels)}";
            if (!fitting.Any())
                return PlacementDecision.Nowhere($"no node{wanted}");
        }

        var live = fitting.Where(n => n.Health == NodeHealth.Live).ToArray();
        if (live.Length == 0)
            return PlacementDecision.Nowhere($"every node{wanted} is lost or returning from a loss ({Each(fitting, n => n.Health.ToString().ToLowerInvariant())})");
        var open = live.Where(n => !n.Drained).ToArray();
        if (open.Length == 0)
            return PlacementDecision.Nowhere($"every live node{wanted} is drained ({string.Join(", ", live.Select(n => n.NodeId))})");
        var usable = open.Where(n => n.Engine is not null).ToArray();
        if (usable.Length == 0)
            return PlacementDecision.Nowhere($"no live node{wanted} has a usable checkpoint engine ({Each(open, n => n.EngineProblem ?? "no engine")})");

        var chosen = usable
            .Select(n => (Node: n, Busy: n.RunningJobs + placedSinceHeartbeat(n.NodeId)))
            .Where(n => n.Busy < n.Node.JobSlots)
            .OrderBy(n => (double)n.Busy / n.Node.JobSlots)
            .ThenByDescending(n => n.Node.JobSlots - n.Busy)
            .ThenBy(n => n.Node.NodeId, StringComparer.Ordinal)
            .Select(n => n.Node)
            .FirstOrDefault();
        return chosen is null
            ? PlacementDecision.Nowhere($"{FullProblemStart}{wanted} is full ({Each(usable, n => $"{n.RunningJobs + placedSinceHeartbeat(n.NodeId)} of {n.JobSlots} slots busy")})")
            : PlacementDecision.On(chosen.NodeId);
    }

    private static string Each(IEnumerable<NodeStatus> nodes, Func<NodeStatus, string> say) =>
        string.Join("; ", nodes.OrderBy(n => n.NodeId, StringComparer.Ordinal).Select(n => $"{n.NodeId}: {say(n)}"));
}
