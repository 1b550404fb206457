using System.Globalization;
using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;
using MassTransit;

namespace Caas.Recovery.Sagas;

/// <summary>
/// One incident, from the request to restore a job to its end. A job that may come back where it ran is restored
/// there; one whose node was lost is first placed on another node (Placing, retried while no node fits), its image
/// moved there from the node holding it (Transferring), then restored (Restoring) and watched until monitoring sees it
/// make progress again (Verifying). A refused image falls back to the next older checkpoint. Every end publishes
/// <see cref="RecoveryEnded"/> and stays recorded; late or duplicate messages for an incident are ignored.
/// </summary>
public sealed class RecoveryStateMachine : MassTransitStateMachine<RecoverySagaState>
{
    private readonly TimeProvider _time;

    public State Placing { get; private set; } = null!;
    public State Transferring { get; private set; } = null!;
    public State Restoring { get; private set; } = null!;
    public State Verifying { get; private set; } = null!;
    public State Recovered { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    /// <summary>The job's policy said to alert only.</summary>
    public State NotAttempted { get; private set; } = null!;

    public Event<RecoveryRequested> RecoveryRequested { get; private set; } = null!;
    public Event<JobStallDetected> JobStallDetected { get; private set; } = null!;
    public Event<RestoreCompleted> RestoreCompleted { get; private set; } = null!;
    public Event<RestoreRejected> RestoreRejected { get; private set; } = null!;
    public Event<RestoreVerified> RestoreVerified { get; private set; } = null!;
    public Event<RecoveryPlaced> RecoveryPlaced { get; private set; } = null!;
    public Event<RecoveryPlacementFailed> RecoveryPlacementFailed { get; private set; } = null!;
    public Event<CheckpointTransferred> CheckpointTransferred { get; private set; } = null!;
    public Event<CheckpointTransferFailed> CheckpointTransferFailed { get; private set; } = null!;

    public Schedule<RecoverySagaState, RestoreTimedOut> RestoreTimeout { get; private set; } = null!;
    public Schedule<RecoverySagaState, VerifyTimedOut> VerifyTimeout { get; private set; } = null!;
    public Schedule<RecoverySagaState, PlacementTimedOut> PlacementTimeout { get; private set; } = null!;
    public Schedule<RecoverySagaState, TransferTimedOut> TransferTimeout { get; private set; } = null!;

    public RecoveryStateMachine(RecoveryOptions options, TimeProvider time)
    {
        options.Validated();
        _time = time;

        InstanceState(x => x.CurrentState);

        Event(() => RecoveryRequested, e => e.CorrelateById(c => c.Message.IncidentId));
        Event(() => JobStallDetected, e => e.CorrelateById(c => c.Message.IncidentId));
        Event(() => RestoreCompleted, e => { e.CorrelateById(c => c.Message.IncidentId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => RestoreRejected, e => { e.CorrelateById(c => c.Message.IncidentId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => RestoreVerified, e => { e.CorrelateById(c => c.Message.IncidentId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => RecoveryPlaced, e => { e.CorrelateById(c => c.Message.IncidentId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => RecoveryPlacementFailed, e => { e.CorrelateById(c => c.Message.IncidentId); e.OnMissingInstance(m => m.Discard()); });
        // Recovery's transfers carry the incident id; other transfers (replicas) find no incident and are dropped.
        Event(() => CheckpointTransferred, e => { e.CorrelateById(c => c.Message.TransferId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => CheckpointTransferFailed, e => { e.CorrelateById(c => c.Message.TransferId); e.OnMissingInstance(m => m.Discard()); });

        Timeout(() => RestoreTimeout, x => x.RestoreTimeoutTokenId, options.RestoreTimeout);
        Timeout(() => VerifyTimeout, x => x.VerifyTimeoutTokenId, options.VerifyTimeout);
        Timeout(() => PlacementTimeout, x => x.PlacementTimeoutTokenId, options.PlacementTimeout);
        Timeout(() => TransferTimeout, x => x.TransferTimeoutTokenId, options.TransferTimeout);

        Initially(
            When(RecoveryRequested)
                .Then(c => RecoveryMessageValidator.ThrowIfInvalid(c.Message))
                .Then(c =>
                {
                    c.Saga.Open(c.Message.JobId, c.Message.Reason, Now());
                    c.Saga.Fallbacks = [.. c.Message.FallbackSequences ?? []];
                    c.Saga.Epoch = c.Message.Epoch;
                    c.Saga.Targets = c.Message.Targets;
                    if (c.Message.CheckpointNote is { } note)
                        c.Saga.RecordCheckpoint(note, Now());
                })
                .IfElse(c => MustMove(c.Message),
                    // The job may not come back where it ran (its node was lost, or its policy moves it): find it another node first.
                    elsewhere => elsewhere
                        .Then(c => c.Saga.RecordPlacementRequested(c.Message.Sequence, c.Message.CheckpointNodeId ?? c.Message.NodeId, c.Message.CheckpointProgress,
                            [AvoidedBy(c.Message)], Now(), Now() + options.PlacementTimeout))
                        .Publish(c => PlaceFor(c.Saga))
                        .Schedule(PlacementTimeout, c => new PlacementTimedOut(c.Saga.CorrelationId), c => c.Saga.PlacementDeadline!.Value.UtcDateTime)
                        .TransitionTo(Placing),
                    inPlace => inPlace
                        .Then(c => c.Saga.RecordRestoreRequested(c.Message.Sequence, c.Message.NodeId, c.Message.CheckpointNodeId ?? c.Message.NodeId, c.Message.CheckpointProgress, Now(), Now() + options.RestoreTimeout))
                        .IfElse(c => c.Saga.NeedsTransfer,
                            // The job's node does not hold the image (the job moved since): bring the image to it first.
                            move => RequestTransfer(move, options),
                            restore => RequestRestore(restore))),
            When(JobStallDetected)
                .Then(c => RecoveryMessageValidator.ThrowIfInvalid(c.Message))
                .Then(c => c.Saga.Open(c.Message.JobId, StallReason(c.Message), Now()))
                .IfElse(c => c.Message.Action == StallAction.AlertOnly,
                    // Nothing is attempted, so nothing ends: the stall alert itself is the notification. Announcing a
                    // RecoveryEnded here would raise a "recovery failed" alert for a recovery the policy never wanted.
                    alertOnly => alertOnly
                        .Then(c => End(c.Saga, succeeded: false, RecoveryOutcomes.AlertOnly))
                        .TransitionTo(NotAttempted),
                    restore => restore.IfElse(c => c.Message.LastCheckpointSequence is null,
                        nothingToRestore => End(nothingToRestore, Failed, succeeded: false, _ => RecoveryOutcomes.NoCheckpoint),
                        fromNewest => fromNewest
                            .Then(c =>
                            {
                                var holder = c.Message.LastCheckpointNodeId ?? c.Message.NodeId;
                                c.Saga.RecordRestoreRequested(c.Message.LastCheckpointSequence!.Value, holder, holder, c.Message.LastCheckpointProgress, Now(), Now() + options.RestoreTimeout);
                                c.Saga.Fallbacks = [.. c.Message.FallbackSequences ?? []];
                            })
                            .Send(c => AgentAddress.For(c.Saga.NodeId!), c => RestoreJobFor(c.Saga))
                            .Schedule(RestoreTimeout, c => new RestoreTimedOut(c.Saga.CorrelationId), c => c.Saga.RestoreDeadline!.Value.UtcDateTime)
                            .TransitionTo(Restoring))));

        // Every When whose condition holds runs, in order, each seeing what the one before changed: so one event's
        // alternatives are one When with IfElse, or Whens whose first makes the next false (as the refusals do).
        During(Placing, [
            When(RecoveryPlaced, c => c.Message.Attempt == c.Saga.PlacementAttempt && !c.Saga.ExcludedNodes.Contains(c.Message.NodeId))
                .Unschedule(PlacementTimeout)
                .Then(c => c.Saga.RecordPlaced(c.Message.NodeId, Now()))
                .IfElse(c => c.Saga.NeedsTransfer,
                    move => RequestTransfer(move, options),
                    // The chosen node already holds the image.
                    restore => restore
                        .Then(c => c.Saga.RecordRestoreRequested(c.Saga.Sequence!.Value, c.Saga.NodeId!, c.Saga.CheckpointNodeId!, c.Saga.CheckpointProgress, Now(), Now() + options.RestoreTimeout))
                        .Send(c => AgentAddress.For(c.Saga.NodeId!), c => RestoreJobFor(c.Saga))
                        .Schedule(RestoreTimeout, c => new RestoreTimedOut(c.Saga.CorrelationId), c => c.Saga.RestoreDeadline!.Value.UtcDateTime)
                        .TransitionTo(Restoring)),
            // No node fits now (full, drained, lost): capacity may free, so ask again later, up to the attempts allowed.
            When(RecoveryPlacementFailed, c => c.Message.Attempt == c.Saga.PlacementAttempt)
                .IfElse(c => c.Saga.PlacementAttempt < options.PlacementAttempts,
                    later => later
                        .Then(c => c.Saga.RecordNoPlacement(c.Message.Reason, Now(), Now() + options.PlacementRetryDelay))
                        .Schedule(PlacementTimeout, c => new PlacementTimedOut(c.Saga.CorrelationId), c => c.Saga.PlacementDeadline!.Value.UtcDateTime),
                    giveUp => giveUp
                        .Then(c => c.Saga.RecordNoPlacement(c.Message.Reason, Now(), Now()))
                        .Unschedule(PlacementTimeout)
                        .Then(c => End(c.Saga, succeeded: false, RecoveryOutcomes.NoNode(c.Saga.PlacementAttempt, c.Saga.PlacementProblem)))
                        .Publish(Ended)
                        .TransitionTo(Failed)),
            When(PlacementTimeout.Received)
                .IfElse(c => c.Saga.PlacementAttempt < options.PlacementAttempts,
                    again => again
                        .Then(c => c.Saga.NextPlacementAttempt(Now(), Now() + options.PlacementTimeout))
                        .Publish(c => PlaceFor(c.Saga))
                        .Schedule(PlacementTimeout, c => new PlacementTimedOut(c.Saga.CorrelationId), c => c.Saga.PlacementDeadline!.Value.UtcDateTime),
                    giveUp => giveUp
                        .Then(c => End(c.Saga, succeeded: false, RecoveryOutcomes.NoNode(c.Saga.PlacementAttempt, c.Saga.PlacementProblem)))
                        .Publish(Ended)
                        .TransitionTo(Failed)),
            .. IgnoringAllBut(PlacementTimeout.Received)]);

        During(Transferring, [
            When(CheckpointTransferred, c => c.Message.Sequence == c.Saga.Sequence && c.Message.TargetNodeId == c.Saga.NodeId)
                .Unschedule(TransferTimeout)
                .Then(c => c.Saga.RecordTransferred(c.Message.BytesMoved, c.Message.Duration, Now()))
                .Then(c => c.Saga.RecordRestoreRequested(c.Saga.Sequence!.Value, c.Saga.NodeId!, c.Saga.CheckpointNodeId!, c.Saga.CheckpointProgress, Now(), Now() + options.RestoreTimeout))
                .Send(c => AgentAddress.For(c.Saga.NodeId!), c => RestoreJobFor(c.Saga))
                .Schedule(RestoreTimeout, c => new RestoreTimedOut(c.Saga.CorrelationId), c => c.Saga.RestoreDeadline!.Value.UtcDateTime)
                .TransitionTo(Restoring),
            // An image that cannot be read or moved leaves the older checkpoints on the same node to try.
            When(CheckpointTransferFailed, c => c.Message.Sequence == c.Saga.Sequence && c.Saga.Fallbacks.Count > 0)
                .Unschedule(TransferTimeout)
                .Then(c => c.Saga.RecordFallback(c.Message.Reason, Now(), Now() + options.TransferTimeout))
                .Send(c => AgentAddress.For(c.Saga.CheckpointNodeId!), c => TransferFor(c.Saga))
                .Schedule(TransferTimeout, c => new TransferTimedOut(c.Saga.CorrelationId), c => c.Saga.TransferDeadline!.Value.UtcDateTime),
            When(CheckpointTransferFailed, c => c.Message.Sequence == c.Saga.Sequence)
                .Unschedule(TransferTimeout)
                .Then(c => End(c.Saga, succeeded: false, RecoveryOutcomes.TransferFailed(c.Saga.Sequence, c.Message.Reason)))
                .Publish(Ended)
                .TransitionTo(Failed),
            When(TransferTimeout.Received)
                .Then(c => End(c.Saga, succeeded: false, RecoveryOutcomes.TransferTimedOut(options.TransferTimeout, c.Saga.CheckpointNodeId, c.Saga.NodeId)))
                .Publish(Ended)
                .TransitionTo(Failed),
            .. IgnoringAllBut(TransferTimeout.Received)]);

        During(Restoring, [
            When(RestoreCompleted)
                .Then(c => c.Saga.RecordRestored(c.Message.Pid, Now(), Now() + options.VerifyTimeout))
                .Unschedule(RestoreTimeout)
                .Schedule(VerifyTimeout, c => new VerifyTimedOut(c.Saga.CorrelationId), c => c.Saga.VerifyDeadline!.Value.UtcDateTime)
                .TransitionTo(Verifying),
            // A refused image (bad signature or checksum, incompatible CPU) leaves older checkpoints to try.
            When(RestoreRejected, c => c.Message.Sequence == c.Saga.Sequence && c.Saga.Fallbacks.Count > 0 && c.Saga.NeedsTransfer)
                .Unschedule(RestoreTimeout)
                .Then(c => c.Saga.RecordFallback(c.Message.Reason, Now(), Now() + options.TransferTimeout))
                .Send(c => AgentAddress.For(c.Saga.CheckpointNodeId!), c => TransferFor(c.Saga))
                .Schedule(TransferTimeout, c => new TransferTimedOut(c.Saga.CorrelationId), c => c.Saga.TransferDeadline!.Value.UtcDateTime)
                .TransitionTo(Transferring),
            When(RestoreRejected, c => c.Message.Sequence == c.Saga.Sequence && c.Saga.Fallbacks.Count > 0)
                .Then(c => c.Saga.RecordFallback(c.Message.Reason, Now(), Now() + options.RestoreTimeout))
                .Send(c => AgentAddress.For(c.Saga.NodeId!), c => RestoreJobFor(c.Saga))
                .Schedule(RestoreTimeout, c => new RestoreTimedOut(c.Saga.CorrelationId), c => c.Saga.RestoreDeadline!.Value.UtcDateTime),
            When(RestoreRejected, c => c.Message.Sequence == c.Saga.Sequence)
                .Then(c => End(c.Saga, succeeded: false, RecoveryOutcomes.RestoreFailed(c.Message.Reason)))
                .Publish(Ended)
                .Unschedule(RestoreTimeout)
                .TransitionTo(Failed),
            // Monitoring may see the restored job progress before the agent's report is consumed.
            When(RestoreVerified)
                .Then(c => c.Saga.RecordVerified(c.Message.Progress, Now()))
                .Then(c => End(c.Saga, succeeded: true, RecoveryOutcomes.Recovered(c.Saga.Sequence, c.Message.Progress, c.Saga.Refusals)))
                .Publish(Ended)
                .Unschedule(RestoreTimeout)
                .TransitionTo(Recovered),
            When(RestoreTimeout.Received)
                .Then(c => End(c.Saga, succeeded: false, RecoveryOutcomes.RestoreTimedOut(options.RestoreTimeout, c.Saga.NodeId)))
                .Publish(Ended)
                .TransitionTo(Failed),
            .. IgnoringAllBut(RestoreCompleted, RestoreRejected, RestoreVerified, RestoreTimeout.Received)]);

        During(Verifying, [
            When(RestoreVerified)
                .Then(c => c.Saga.RecordVerified(c.Message.Progress, Now()))
                .Then(c => End(c.Saga, succeeded: true, RecoveryOutcomes.Recovered(c.Saga.Sequence, c.Message.Progress, c.Saga.Refusals)))
                .Publish(Ended)
                .Unschedule(VerifyTimeout)
                .TransitionTo(Recovered),
            // Every When whose condition holds runs, in order: the one that gives up goes first, before a fallback empties the list.
            When(VerifyTimeout.Received, c => c.Saga.Fallbacks.Count == 0)
                .Then(c => End(c.Saga, succeeded: false, RecoveryOutcomes.VerifyTimedOut(options.VerifyTimeout)))
                .Publish(Ended)
                .TransitionTo(Failed),
            // A copy that runs but never gets back to its checkpoint's progress (a bad image CRIU still restores) is
            // replaced from the next older checkpoint; the agent kills it before it restores that one.
            When(VerifyTimeout.Received, c => c.Saga.Fallbacks.Count > 0)
                .Then(c => c.Saga.RecordFallback(RecoveryOutcomes.NoProgress(c.Saga.RestoredPid, options.VerifyTimeout), Now(),
                    Now() + (c.Saga.NeedsTransfer ? options.TransferTimeout : options.RestoreTimeout), unverified: true))
                .IfElse(c => c.Saga.NeedsTransfer,
                    move => move
                        .Send(c => AgentAddress.For(c.Saga.CheckpointNodeId!), c => TransferFor(c.Saga))
                        .Schedule(TransferTimeout, c => new TransferTimedOut(c.Saga.CorrelationId), c => c.Saga.TransferDeadline!.Value.UtcDateTime)
                        .TransitionTo(Transferring),
                    restore => RequestRestore(restore)),
            .. IgnoringAllBut(RestoreVerified, VerifyTimeout.Received)]);

        During(Recovered, Failed, NotAttempted, IgnoringAllBut());
    }

    private EventActivityBinder<RecoverySagaState, T> RequestTransfer<T>(EventActivityBinder<RecoverySagaState, T> binder, RecoveryOptions options)
        where T : class =>
        binder
            .Then(c => c.Saga.RecordTransferRequested(Now(), Now() + options.TransferTimeout))
            .Send(c => AgentAddress.For(c.Saga.CheckpointNodeId!), c => TransferFor(c.Saga))
            .Schedule(TransferTimeout, c => new TransferTimedOut(c.Saga.CorrelationId), c => c.Saga.TransferDeadline!.Value.UtcDateTime)
            .TransitionTo(Transferring);

    private EventActivityBinder<RecoverySagaState, T> RequestRestore<T>(EventActivityBinder<RecoverySagaState, T> binder)
        where T : class =>
        binder
            .Send(c => AgentAddress.For(c.Saga.NodeId!), c => RestoreJobFor(c.Saga))
            .Schedule(RestoreTimeout, c => new RestoreTimedOut(c.Saga.CorrelationId), c => c.Saga.RestoreDeadline!.Value.UtcDateTime)
            .TransitionTo(Restoring);

    private DateTimeOffset Now() => _time.GetUtcNow();

    /// <summary>
    /// Every event the incident may see, for the states to ignore what they do not handle: late, duplicate and stale
    /// messages are normal on an at-least-once bus. Conditional Whens of an event leave it ignored when none matches.
    /// </summary>
    private Event[] EveryEvent =>
    [
        RecoveryRequested, JobStallDetected, RestoreCompleted, RestoreRejected, RestoreVerified, RecoveryPlaced, RecoveryPlacementFailed,
        CheckpointTransferred, CheckpointTransferFailed, RestoreTimeout.Received, VerifyTimeout.Received, PlacementTimeout.Received, TransferTimeout.Received,
    ];

    private EventActivities<RecoverySagaState>[] IgnoringAllBut(params Event[] handled) =>
        EveryEvent.Except(handled).Select(e => Ignore(e)).ToArray();

    /// <summary>A durable timeout of the incident; one that arrives after its incident is gone is dropped.</summary>
    private void Timeout<T>(System.Linq.Expressions.Expression<Func<Schedule<RecoverySagaState, T>>> schedule,
        System.Linq.Expressions.Expression<Func<RecoverySagaState, Guid?>> token, TimeSpan delay)
        where T : class, IIncidentTimeout =>
        Schedule(schedule, token, s =>
        {
            s.Delay = delay;
            s.Received = r => { r.CorrelateById(c => c.Message.IncidentId); r.OnMissingInstance(m => m.Discard()); };
        });

    private void End(RecoverySagaState saga, bool succeeded, string outcome)
    {
        saga.Close(succeeded, outcome, Now());
        RecoveryMetrics.SagaDuration.Record((Now() - saga.StartedAt).TotalSeconds, new KeyValuePair<string, object?>("succeeded", succeeded));
    }

    private EventActivityBinder<RecoverySagaState, T> End<T>(EventActivityBinder<RecoverySagaState, T> binder, State final, bool succeeded, Func<BehaviorContext<RecoverySagaState, T>, string> outcome)
        where T : class =>
        binder
            .Then(c => End(c.Saga, succeeded, outcome(c)))
            .Publish(Ended)
            .TransitionTo(final);

    private static RecoveryEnded Ended<T>(BehaviorContext<RecoverySagaState, T> c)
        where T : class =>
        new(c.Saga.CorrelationId, c.Saga.JobId, c.Saga.Succeeded ?? false, c.Saga.Outcome ?? "", c.Saga.EndedAt ?? default);

    private static PlaceRecoveredJob PlaceFor(RecoverySagaState saga) =>
        new(saga.CorrelationId, saga.JobId, saga.ExcludedNodes.ToArray(), saga.PlacementAttempt, saga.Targets, saga.Sequence);

    /// <summary>A lost node's job, and one whose policy moves it to another node or pool, are placed anew.</summary>
    private static bool MustMove(RecoveryRequested request) =>
        request.AvoidNodeId is not null || request.Action is RecoveryAction.MoveToOtherNode or RecoveryAction.MoveToOtherPool;

    /// <summary>The node the job must leave: the lost one, else the one the policy moves it from, else the one it ran on.</summary>
    private static string AvoidedBy(RecoveryRequested request) => request.AvoidNodeId ?? request.Targets?.AvoidNodeId ?? request.NodeId;

    /// <summary>The incident id is the transfer id, so the target's report finds this incident.</summary>
    private static TransferCheckpoint TransferFor(RecoverySagaState saga) =>
        new(saga.JobId, saga.Sequence!.Value, saga.CheckpointNodeId!, saga.NodeId!, saga.CorrelationId);

    private static RestoreJob RestoreJobFor(RecoverySagaState saga) =>
        new(saga.JobId, saga.NodeId!, saga.CorrelationId, saga.Sequence!.Value, saga.CheckpointNodeId!, saga.Epoch);

    private static string StallReason(JobStallDetected stall) =>
        string.Create(CultureInfo.InvariantCulture, $"stalled on {stall.NodeId}: no progress since {stall.LastProgressAt:u}");
}
