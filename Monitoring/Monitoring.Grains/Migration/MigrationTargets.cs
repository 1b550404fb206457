using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Migration;

/// <summary>Which node a job may move to: live, not drained, with a working engine and a free slot, not the node it is on, in its pool and with its labels.</summary>
public static class MigrationTargets
{
    public static NodeStatus Choose(JobView job, string source, string? nodeId, string? pool, IReadOnlyList<NodeStatus> nodes)
    {
        if (nodeId is not null)
        {
            var node = nodes.FirstOrDefault(n => n.NodeId == nodeId)
                ?? throw new OperationRejectedException(RejectionKind.NotFound, $"No node agent '{nodeId}' has registered.");
            if (Refusal(job, source, node) is { } why)
                throw new OperationRejectedException(RejectionKind.Conflict, $"Job {job.JobId} cannot move to {nodeId}: {why}.");
            return node;
        }
        var inPool = nodes.Where(n => n.Pool == pool).ToList();
        if (inPool.Count == 0)
            throw new OperationRejectedException(RejectionKind.NotFound, $"No node agent is in pool '{pool}'.");
        return inPool.Where(n => Refusal(job, source, n) is null).OrderByDescending(n => n.JobSlots - n.RunningJobs).ThenBy(n => n.NodeId, StringComparer.Ordinal).FirstOrDefault()
            ?? throw new OperationRejectedException(RejectionKind.Conflict,
                $"No node of pool '{pool}' can take job {job.JobId}: {string.Join("; ", inPool.Select(n => $"{n.NodeId} {Refusal(job, source, n)}"))}.");
    }

    private static string? Refusal(JobView job, string source, NodeStatus node) =>
        node.NodeId == source ? "it already runs there"
        : node.Health != NodeHealth.Live ? $"the node is {node.Health}"
        : node.Drained ? "the node is drained"
        : node.EngineProblem is { } problem ? $"the node cannot checkpoint ({problem})"
        : node.RunningJobs >= node.JobSlots ? "the node has no free slot"
        : job.Spec.Pool is { } wanted && wanted != node.Pool ? $"the job must run in pool '{wanted}', the node is in '{node.Pool}'"
        : job.Spec.NodeLabels.FirstOrDefault(l => !node.Labels.TryGetValue(l.Key, out var value) || value != l.Value) is { Key: not null } missing
            ? $"the node lacks label {missing.Key}={missing.Value}"
        : null;
}
