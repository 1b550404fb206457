using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;

namespace Caas.Monitoring.Grains.Nodes;

/// <summary>
/// Placement of a job that recovery brings back, on top of the ordinary rules (<see cref="NodePlacement"/>): the pools its
/// policy allows (<see cref="RecoveryTargets"/>: allowed pools, leaving its pool only when crossing is allowed, and
/// leaving it when the policy moves it to another pool), its preferred pools tried first in their order, and a pre-flight
/// of the image's engine and CPU flags against each node's (the agent's own restore pre-flight, <c>RestoreCompatibility</c>),
/// so that recovery does not choose a node whose agent would only refuse it.
/// </summary>
public static class RecoveryPlacement
{
    /// <param name="targets">Where the policy lets the job go; null for a recovery no policy shaped (a user's restore, a lost node): the job's spec alone.</param>
    /// <param name="image">The checkpoint to restore, whose engine and CPU flags a node must be able to take; null when unknown (no pre-flight).</param>
    public static PlacementDecision Choose(JobSpec spec, RecoveryTargets? targets, CheckpointInfo? image, IReadOnlyCollection<NodeStatus> nodes,
        Func<string, int> placedSinceHeartbeat, IReadOnlyCollection<string> excluded)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var candidates = nodes;
        var rules = new List<string>();
        if (targets is not null)
        {
            // The policy decides the pool of a recovery; the spec's own pool is its current pool, which the policy may leave.
            var current = targets.CurrentPool ?? spec.Pool;
            if (targets.AllowCrossPool || targets.RequireOtherPool)
                spec = spec with { Pool = null };
            candidates = [.. candidates.Where(n => PoolAllowed(n.Pool, current, targets))];
            rules.Add(PoolRule(current, targets));
            if (candidates.Count == 0 && nodes.Count > 0)
                return PlacementDecision.Nowhere($"no node in a pool the policy allows ({rules[0]}; pools: {string.Join(", ", nodes.Select(n => n.Pool).Distinct().Order(StringComparer.Ordinal))})");
        }
        if (image is not null)
        {
            var problems = candidates.ToDictionary(n => n.NodeId, n => RestoreProblem(image, n));
            var able = candidates.Where(n => problems[n.NodeId] is null).ToArray();
            if (able.Length == 0 && candidates.Count > 0)
                return PlacementDecision.Nowhere($"no node can restore checkpoint {image.Sequence} ("
                    + string.Join("; ", candidates.OrderBy(n => n.NodeId, StringComparer.Ordinal).Select(n => $"{n.NodeId}: {problems[n.NodeId]}")) + ")");
            candidates = able;
        }
        foreach (var preferred in targets?.PreferredPools ?? [])
        {
            var inPool = candidates.Where(n => n.Pool == preferred).ToArray();
            if (inPool.Length > 0 && NodePlacement.Choose(spec, inPool, placedSinceHeartbeat, excluded) is { NodeId: not null } there)
                return there;
        }
        var decision = NodePlacement.Choose(spec, candidates, placedSinceHeartbeat, excluded);
        return decision.NodeId is null && rules.Count > 0 ? PlacementDecision.Nowhere($"{decision.Problem} ({rules[0]})") : decision;
    }

    /// <returns>Why the node's agent would refuse to restore the image, or null. What a node does not report is not held against it.</returns>
    private static string? RestoreProblem(CheckpointInfo image, NodeStatus node)
    {
        if (!string.IsNullOrEmpty(image.Engine) && node.Engine is not null && EngineCompatibility.Problem(image.Engine, node.Engine) is { } engine)
            return engine;
        if (image.CpuFlags.Count > 0 && node.CpuFlags is { } flags
            && CpuCompatibility.MissingFlags(image.CpuFlags, flags.ToHashSet(StringComparer.Ordinal)) is { Count: > 0 } missing)
            return $"its CPU ({node.CpuModel ?? "model unknown"}) {CpuCompatibility.Describe(missing)}";
        return null;
    }

    private static bool PoolAllowed(string pool, string? current, RecoveryTargets targets) =>
        (targets.AllowedPools.Count == 0 || targets.AllowedPools.Contains(pool, StringComparer.Ordinal))
        && (current is null || (targets.RequireOtherPool ? pool != current : targets.AllowCrossPool || pool == current));

    private static string PoolRule(string? current, RecoveryTargets targets)
    {
        var where = current is null ? "any pool"
            : targets.RequireOtherPool ? $"a pool other than '{current}'"
            : targets.AllowCrossPool ? "any pool" : $"pool '{current}' only";
        return targets.AllowedPools.Count == 0 ? $"policy allows {where}" : $"policy allows {where} among {string.Join(", ", targets.AllowedPools)}";
    }
}
