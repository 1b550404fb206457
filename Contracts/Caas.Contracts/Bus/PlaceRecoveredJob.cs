namespace Caas.Contracts.Bus;

/// <summary>
/// Recovery to monitoring: choose a node to bring the job back on, never one of ExcludedNodeIds (the lost node, nodes
/// that refused it). Answered with <see cref="RecoveryPlaced"/> or <see cref="RecoveryPlacementFailed"/>; Attempt
/// lets the saga tell a late answer to an earlier attempt from the current one.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PlaceRecoveredJob([property: Id(0)] Guid IncidentId, [property: Id(1)] string JobId, [property: Id(2)] IReadOnlyList<string> ExcludedNodeIds, [property: Id(3)] int Attempt);
