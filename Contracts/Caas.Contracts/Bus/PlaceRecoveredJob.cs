namespace Caas.Contracts.Bus;

/// <summary>
/// Recovery to monitoring: choose a node to bring the job back on, never one of ExcludedNodeIds (the lost node, nodes
/// that refused it). Answered with <see cref="RecoveryPlaced"/> or <see cref="RecoveryPlacementFailed"/>; Attempt
/// lets the saga tell a late answer to an earlier attempt from the current one. Targets (when a policy shaped the
/// recovery) say which pools the job may go to and which to try first; Sequence names the checkpoint to restore, so that
/// only a node whose engine can read its image is chosen.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PlaceRecoveredJob([property: Id(0)] Guid IncidentId, [property: Id(1)] string JobId, [property: Id(2)] IReadOnlyList<string> ExcludedNodeIds, [property: Id(3)] int Attempt,
    [property: Id(210)] Policies.RecoveryTargets? Targets = null, [property: Id(211)] int? Sequence = null);
