using Caas.Contracts.Policies;

namespace Caas.Monitoring.Grains.Policies;

/// <summary>
/// What a policy has done to a job so far, as its evaluator needs it: when each automatic recovery started and how many
/// answered failures. Folded live from RecoveryPolicyApplied events, and in a dry run from the run's own decisions.
/// </summary>
[GenerateSerializer]
public sealed class PolicyHistory
{
    /// <summary>Enough for any attempt window (at most <see cref="RecoveryPolicyValidator.MaxAttemptsLimit"/> attempts count).</summary>
    public const int AttemptsKept = RecoveryPolicyValidator.MaxAttemptsLimit;

    /// <summary>When each automatic recovery started, oldest first.</summary>
    [Id(0)] public List<DateTimeOffset> Attempts { get; set; } = [];
    [Id(1)] public int FailureRestarts { get; set; }

    public DateTimeOffset? LastAttemptAt => Attempts.Count == 0 ? null : Attempts[^1];

    public int AttemptsSince(DateTimeOffset since) => Attempts.Count(at => at > since);

    public void Record(PolicyDecision decision)
    {
        if (!decision.Acts)
            return;
        Attempts.Add(decision.NotBefore);
        if (Attempts.Count > AttemptsKept)
            Attempts.RemoveAt(0);
        if (decision.Trigger == PolicyTrigger.Failure)
            FailureRestarts++;
    }
}
