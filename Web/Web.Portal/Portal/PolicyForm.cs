using Caas.Contracts.Policies;

namespace Caas.Web.Portal.Portal;

/// <summary>
/// The Policies page's editor: a recovery policy as form fields (pools as comma-separated text), turned back into a
/// policy with its problems keyed by the validator's field names ("policy.maxAttempts").
/// </summary>
public sealed class PolicyForm
{
    public StallResponse OnStall { get; set; }
    public StarvationResponse OnStarvation { get; set; }
    public NodeLostResponse OnNodeLost { get; set; }
    public FailureResponse OnFailure { get; set; }
    public int MaxFailureRestarts { get; set; }
    public int MaxAttempts { get; set; }
    public double AttemptWindowSeconds { get; set; }
    public double BackoffSeconds { get; set; }
    public double MaxBackoffSeconds { get; set; }
    public double CooldownSeconds { get; set; }
    public string AllowedPools { get; set; } = "";
    public string PreferredPools { get; set; } = "";
    public bool AllowCrossPool { get; set; }
    public CheckpointMode CheckpointMode { get; set; }
    public double IntervalSeconds { get; set; }
    public double MinIntervalSeconds { get; set; }
    public double MaxIntervalSeconds { get; set; }
    public double AssumedMtbfSeconds { get; set; }

    public static PolicyForm From(RecoveryPolicy policy) => new()
    {
        OnStall = policy.OnStall,
        OnStarvation = policy.OnStarvation,
        OnNodeLost = policy.OnNodeLost,
        OnFailure = policy.OnFailure,
        MaxFailureRestarts = policy.MaxFailureRestarts,
        MaxAttempts = policy.MaxAttempts,
        AttemptWindowSeconds = policy.AttemptWindowSeconds,
        BackoffSeconds = policy.BackoffSeconds,
        MaxBackoffSeconds = policy.MaxBackoffSeconds,
        CooldownSeconds = policy.CooldownSeconds,
        AllowedPools = string.Join(", ", policy.AllowedPools),
        PreferredPools = string.Join(", ", policy.PreferredPools),
        AllowCrossPool = policy.AllowCrossPool,
        CheckpointMode = policy.Checkpoints.Mode,
        IntervalSeconds = policy.Checkpoints.IntervalSeconds,
        MinIntervalSeconds = policy.Checkpoints.MinIntervalSeconds,
        MaxIntervalSeconds = policy.Checkpoints.MaxIntervalSeconds,
        AssumedMtbfSeconds = policy.Checkpoints.AssumedMtbfSeconds,
    };

    /// <returns>The policy when it is valid (else null), and the problems by field.</returns>
    public (RecoveryPolicy? Policy, IReadOnlyDictionary<string, IReadOnlyList<string>> Problems) Build()
    {
        var policy = new RecoveryPolicy
        {
            OnStall = OnStall,
            OnStarvation = OnStarvation,
            OnNodeLost = OnNodeLost,
            OnFailure = OnFailure,
            MaxFailureRestarts = MaxFailureRestarts,
            MaxAttempts = MaxAttempts,
            AttemptWindowSeconds = AttemptWindowSeconds,
            BackoffSeconds = BackoffSeconds,
            MaxBackoffSeconds = MaxBackoffSeconds,
            CooldownSeconds = CooldownSeconds,
            AllowedPools = Pools(AllowedPools),
            PreferredPools = Pools(PreferredPools),
            AllowCrossPool = AllowCrossPool,
            Checkpoints = new CheckpointSchedule
            {
                Mode = CheckpointMode,
                IntervalSeconds = IntervalSeconds,
                MinIntervalSeconds = MinIntervalSeconds,
                MaxIntervalSeconds = MaxIntervalSeconds,
                AssumedMtbfSeconds = AssumedMtbfSeconds,
            },
        };
        var problems = RecoveryPolicyValidator.Validate(policy)
            .GroupBy(p => p.Field)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(p => p.ToString() + ".").ToArray());
        return (problems.Count == 0 ? policy : null, problems);
    }

    private static string[] Pools(string text) =>
        text.Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
