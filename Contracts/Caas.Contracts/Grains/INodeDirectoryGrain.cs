using Caas.Contracts.Jobs;

namespace Caas.Contracts.Grains;

/// <summary>The platform's list of node agents and the placement decision over it (one instance, key 0).</summary>
public interface INodeDirectoryGrain : IGrainWithIntegerKey
{
    Task RecordHeartbeat(NodeStatus node);
    /// <summary>Every node heard of, with its health and drain state as the directory sees them.</summary>
    Task<IReadOnlyList<NodeStatus>> List();
    /// <returns>The node to run the job on, or why none fits (no live, undrained node with a usable engine, the job's pool and labels, and a free slot).</returns>
    Task<PlacementDecision> Choose(JobSpec spec);
    /// <summary>As <see cref="Choose"/>, never choosing one of <paramref name="excludedNodeIds"/> (a lost node, the node already holding a copy).</summary>
    Task<PlacementDecision> ChooseExcept(JobSpec spec, IReadOnlyCollection<string> excludedNodeIds);
    /// <summary>
    /// As <see cref="ChooseExcept"/> for a job recovery brings back: within the pools <paramref name="targets"/> allow
    /// (preferred pools first; the job's spec alone when null), and only on a node whose engine can read the image
    /// <paramref name="image"/> and whose CPU has every flag the image's node had (no such check when null).
    /// </summary>
    Task<PlacementDecision> ChooseForRecovery(JobSpec spec, IReadOnlyCollection<string> excludedNodeIds, Policies.RecoveryTargets? targets, CheckpointInfo? image);
    /// <summary>A node other than <paramref name="sourceNodeId"/> where the job could be restored, to keep a copy of its checkpoints; takes no slot.</summary>
    Task<PlacementDecision> ChooseCopyHolder(JobSpec spec, string sourceNodeId);
    /// <summary>
    /// <paramref name="ranks"/> distinct nodes for the ranks of a distributed job, each chosen as <see cref="ChooseExcept"/>
    /// would (pool, labels, live, undrained, engine, a free slot), never one of <paramref name="excludedNodeIds"/>.
    /// </summary>
    Task<RankPlacementDecision> ChooseRanks(JobSpec spec, int ranks, IReadOnlyCollection<string> excludedNodeIds);
    /// <summary>The node takes no new jobs until <see cref="Undrain"/>; its running jobs keep running. Durable.</summary>
    /// <returns>The node as listed after the change.</returns>
    /// <exception cref="Services.OperationRejectedException">NotFound: no node with that id was ever heard of.</exception>
    Task<NodeStatus> Drain(string nodeId);
    /// <inheritdoc cref="Drain"/>
    Task<NodeStatus> Undrain(string nodeId);
}
