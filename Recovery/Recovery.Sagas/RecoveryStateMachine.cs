using System.Globalization;
using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using MassTransit;

namespace Caas.Recovery.Sagas;

/// <summary>
/// One incident, from the request to restore a job to its end: restore from a checkpoint on the
/// node holding it, then wait for monitoring to see the job make progress again. Every end
/// publishes <see cref="RecoveryEnded"/> and stays recorded; late or duplicate messages for an
/// incident are ignored.
/// </summary>
public sealed class RecoveryStateMachine : MassTransitStateMachine<RecoverySagaState>
{
    private readonly TimeProvider _time;

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

    public Schedule<RecoverySagaState, RestoreTimedOut> RestoreTimeout { get; private set; } = null!;
    public Schedule<RecoverySagaState, VerifyTimedOut> VerifyTimeout { get; private set; } = null!;

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

        Schedule(() => RestoreTimeout, x => x.RestoreTimeoutTokenId, s =>
        {
            s.Delay = options.RestoreTimeout;
            s.Received = r => { r.CorrelateById(c => c.Message.IncidentId); r.OnMissingInstance(m => m.Discard()); };
        });
        Schedule(() => VerifyTimeout, x => x.VerifyTimeoutTokenId, s =>
        {
            s.Delay = options.VerifyTimeout;
            s.Received = r => { r.CorrelateById(c => c.Message.IncidentId); r.OnMissingInstance(m => m.Discard()); };
        });

        Initially(
            When(RecoveryRequested)
                .Then(c => RecoveryMessageValidator.ThrowIfInvalid(c.Message))
                .Then(c =>
                {
                    c.Saga.Open(c.Message.JobId, c.Message.Reason, Now());
                    // For the walking skeleton the job comes back on the node that holds its image.
                    c.Saga.RecordRestoreRequested(c.Message.Sequence, c.Message.NodeId, c.Message.NodeId, c.Message.CheckpointProgress, Now(), Now() + options.RestoreTimeout);
                    c.Saga.Fallbacks = [.. c.Message.FallbackSequences ?? []];
                })
                .Send(c => AgentAddress.For(c.Saga.NodeId!), c => RestoreJobFor(c.Saga))
                .Schedule(RestoreTimeout, c => new RestoreTimedOut(c.Saga.CorrelationId), c => c.Saga.RestoreDeadline!.Value.UtcDateTime)
                .TransitionTo(Restoring),
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

        During(Restoring,
            When(RestoreCompleted)
                .Then(c => c.Saga.RecordRestored(c.Message.Pid, Now(), Now() + options.VerifyTimeout))
                .Unschedule(RestoreTimeout)
                .Schedule(VerifyTimeout, c => new VerifyTimedOut(c.Saga.CorrelationId), c => c.Saga.VerifyDeadline!.Value.UtcDateTime)
                .TransitionTo(Verifying),
            // A refused image (bad signature or checksum, incompatible CPU) leaves older checkpoints to try.
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
            Ignore(RecoveryRequested),
            Ignore(JobStallDetected));

        During(Verifying,
            When(RestoreVerified)
                .Then(c => c.Saga.RecordVerified(c.Message.Progress, Now()))
                .Then(c => End(c.Saga, succeeded: true, RecoveryOutcomes.Recovered(c.Saga.Sequence, c.Message.Progress, c.Saga.Refusals)))
                .Publish(Ended)
                .Unschedule(VerifyTimeout)
                .TransitionTo(Recovered),
            When(VerifyTimeout.Received)
                .Then(c => End(c.Saga, succeeded: false, RecoveryOutcomes.VerifyTimedOut(options.VerifyTimeout)))
                .Publish(Ended)
                .TransitionTo(Failed),
            Ignore(RecoveryRequested),
            Ignore(JobStallDetected),
            Ignore(RestoreCompleted),
            Ignore(RestoreRejected),
            Ignore(RestoreTimeout.Received));

        During(Recovered, Failed, NotAttempted,
            Ignore(RecoveryRequested),
            Ignore(JobStallDetected),
            Ignore(RestoreCompleted),
            Ignore(RestoreRejected),
            Ignore(RestoreVerified),
            Ignore(RestoreTimeout.Received),
            Ignore(VerifyTimeout.Received));
    }

    private DateTimeOffset Now() => _time.GetUtcNow();

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

    private static RestoreJob RestoreJobFor(RecoverySagaState saga) =>
        new(saga.JobId, saga.NodeId!, saga.CorrelationId, saga.Sequence!.Value, saga.CheckpointNodeId!);

    private static string StallReason(JobStallDetected stall) =>
        string.Create(CultureInfo.InvariantCulture, $"stalled on {stall.NodeId}: no progress since {stall.LastProgressAt:u}");
}
