using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;

namespace Caas.Contracts.Bus;

/// <summary>
/// Monitoring to recovery: restore this job from checkpoint Sequence (a user asked, or a policy decided); if the agent
/// refuses that image, try FallbackSequences in turn (older checkpoints on the same node, newest first).
/// When a policy decided (Trigger set): Action says where the job goes (RestartInPlace: the node holding the image, as a
/// user's restore; MoveToOtherNode / MoveToOtherPool: a node Targets accepts), and Attempt counts the automatic
/// recoveries in the policy's attempt window. A user's restore leaves Trigger null and Attempt 0.
/// With AvoidNodeId the job must come back elsewhere (its node was lost): recovery places it on another node and moves
/// the image there from CheckpointNodeId (the node holding it, NodeId when null) before it restores.
/// Epoch is the fencing number the job grain gave this restore; recovery carries it in <see cref="RestoreJob"/>.
/// A policy's MoveToOtherNode / MoveToOtherPool is placed like a lost node's job: never on Targets.AvoidNodeId (the node
/// that stalled or starved it), within the pools Targets allow. CheckpointNote says, for people, how the checkpoint was
/// chosen (taken at the incident from the live job, or the newest earlier one because that failed); null when nothing
/// was tried.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RecoveryRequested([property: Id(0)] Guid IncidentId, [property: Id(1)] string JobId, [property: Id(2)] string NodeId, [property: Id(3)] int Sequence, [property: Id(4)] double? CheckpointProgress, [property: Id(5)] string Reason, [property: Id(6)] DateTimeOffset At, [property: Id(7)] IReadOnlyList<int>? FallbackSequences = null,
    [property: Id(50)] RecoveryAction Action = RecoveryAction.RestartInPlace,
    [property: Id(51)] PolicyTrigger? Trigger = null,
    [property: Id(52)] RecoveryTargets? Targets = null,
    [property: Id(53)] int Attempt = 0,
    [property: Id(60)] string? AvoidNodeId = null,
    [property: Id(61)] string? CheckpointNodeId = null,
    [property: Id(140)] long Epoch = 0,
    [property: Id(210)] string? CheckpointNote = null);
