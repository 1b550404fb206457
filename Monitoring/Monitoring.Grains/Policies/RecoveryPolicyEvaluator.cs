using System.Globalization;
using Caas.Contracts.Policies;

namespace Caas.Monitoring.Grains.Policies;

/// <summary>
/// Decides, from a policy and what it has already done to the job, what to do about one incident, or why nothing.
/// Pure: live monitoring and dry runs over recorded history ask the same questions and get the same answers.
/// The checks, in order: the policy's response to the trigger; for failures, the restart limit; a checkpoint to restore;
/// the cooldown after the last recovery; the attempts left in the window; then the backoff before this attempt.
/// </summary>
public static class RecoveryPolicyEvaluator
{
    public static PolicyDecision Decide(RecoveryPolicy policy, PolicyHistory history, PolicyTrigger trigger, PolicyContext context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(context);
        var what = Describe(trigger);
        PolicyDecision Nothing(string why) => new() { Trigger = trigger, Action = RecoveryAction.None, Reason = why, At = now, NotBefore = now };

        var action = ActionFor(policy, trigger);
        if (action == RecoveryAction.None)
            return Nothing($"{what}: the policy says alert only");
        if (trigger == PolicyTrigger.Failure && history.FailureRestarts >= policy.MaxFailureRestarts)
            return Nothing($"{what}: restart limit reached ({history.FailureRestarts} of {policy.MaxFailureRestarts} failure restarts used)");
        if (!context.HasCheckpoint && !(TakesCheckpointFirst(action, trigger) && context.CanCheckpointNow))
            return Nothing($"{what}: no checkpoint to restore from");
        if (history.LastAttemptAt is { } last && last + Seconds(policy.CooldownSeconds) > now)
            return Nothing($"{what}: cooldown until {Time(last + Seconds(policy.CooldownSeconds))} after the recovery at {Time(last)}");
        var window = Seconds(policy.AttemptWindowSeconds);
        var used = history.AttemptsSince(now - window);
        if (used >= policy.MaxAttempts)
            return Nothing($"{what}: attempts exhausted ({used} of {policy.MaxAttempts} in the last {Span(window)})");
        var targets = TargetsFor(policy, action, context);
        if (action == RecoveryAction.MoveToOtherPool && !targets.AllowedPools.Any(p => p != context.Pool) && targets.AllowedPools.Count > 0)
            return Nothing($"{what}: no allowed pool other than '{context.Pool}' to move to");

        var attempt = used + 1;
        var backoff = BackoffBefore(policy, attempt);
        var notBefore = history.LastAttemptAt is { } previous && previous + backoff > now ? previous + backoff : now;
        var wait = notBefore > now ? $", after a {Span(backoff)} backoff (at {Time(notBefore)})" : "";
        return new PolicyDecision
        {
            Trigger = trigger,
            Action = action,
            Reason = $"{what}: {Describe(action, context)}, attempt {attempt} of {policy.MaxAttempts} in {Span(window)}{wait}",
            Attempt = attempt,
            At = now,
            NotBefore = notBefore,
            Targets = targets,
        };
    }

    /// <summary>
    /// A move of a job still running on its node (stalled or starved there) starts with a stop-mode checkpoint of it, so it
    /// moves what the job has done up to the incident and needs no earlier checkpoint. A restart in place restores a
    /// checkpoint taken before the incident instead, since an image of a hung job taken now would come back hung.
    /// </summary>
    public static bool TakesCheckpointFirst(RecoveryAction action, PolicyTrigger trigger) =>
        action is RecoveryAction.MoveToOtherNode or RecoveryAction.MoveToOtherPool && trigger is PolicyTrigger.Stall or PolicyTrigger.Starvation;

    /// <summary>The wait between the previous attempt and attempt <paramref name="attempt"/>: none for the first, then backoff, doubling, capped.</summary>
    public static TimeSpan BackoffBefore(RecoveryPolicy policy, int attempt)
    {
        if (attempt <= 1)
            return TimeSpan.Zero;
        var seconds = policy.BackoffSeconds * Math.Pow(2, Math.Min(attempt - 2, 30));
        return Seconds(Math.Min(seconds, policy.MaxBackoffSeconds));
    }

    public static RecoveryAction ActionFor(RecoveryPolicy policy, PolicyTrigger trigger) => trigger switch
    {
        PolicyTrigger.Stall => policy.OnStall switch
        {
            StallResponse.RestartFromCheckpoint => RecoveryAction.RestartInPlace,
            StallResponse.Migrate => RecoveryAction.MoveToOtherNode,
            _ => RecoveryAction.None,
        },
        PolicyTrigger.Starvation => policy.OnStarvation switch
        {
            StarvationResponse.MigrateNode => RecoveryAction.MoveToOtherNode,
            StarvationResponse.MigratePool => RecoveryAction.MoveToOtherPool,
            _ => RecoveryAction.None,
        },
        PolicyTrigger.NodeLost => policy.OnNodeLost == NodeLostResponse.RestoreElsewhere ? RecoveryAction.MoveToOtherNode : RecoveryAction.None,
        PolicyTrigger.Failure => policy.OnFailure == FailureResponse.Restart ? RecoveryAction.RestartInPlace : RecoveryAction.None,
        _ => RecoveryAction.None,
    };

    private static RecoveryTargets TargetsFor(RecoveryPolicy policy, RecoveryAction action, PolicyContext context) => new()
    {
        AvoidNodeId = action == RecoveryAction.RestartInPlace ? null : context.NodeId,
        CurrentPool = context.Pool,
        AllowedPools = policy.AllowedPools,
        PreferredPools = policy.PreferredPools,
        AllowCrossPool = policy.AllowCrossPool,
        RequireOtherPool = action == RecoveryAction.MoveToOtherPool,
    };

    private static string Describe(PolicyTrigger trigger) => trigger switch
    {
        PolicyTrigger.Stall => "stall",
        PolicyTrigger.Starvation => "starvation",
        PolicyTrigger.NodeLost => "node lost",
        PolicyTrigger.Failure => "failure",
        _ => trigger.ToString(),
    };

    private static string Describe(RecoveryAction action, PolicyContext context) => action switch
    {
        RecoveryAction.RestartInPlace => "restart from the newest checkpoint",
        RecoveryAction.MoveToOtherNode => $"restore from the newest checkpoint on a node other than {context.NodeId ?? "its own"}",
        RecoveryAction.MoveToOtherPool => $"restore from the newest checkpoint in a pool other than {(context.Pool is null ? "its own" : $"'{context.Pool}'")}",
        _ => "nothing",
    };

    private static TimeSpan Seconds(double seconds) => TimeSpan.FromSeconds(seconds);

    private static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Span(TimeSpan span) => SpanText.Of(span);
}
