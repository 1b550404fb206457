using Caas.Contracts.Jobs;

namespace Caas.Contracts.Policies;

/// <summary>Checks a recovery policy; every problem names its field as written in JSON, under a prefix ("policy", "Caas:Policies:Platform").</summary>
public static class RecoveryPolicyValidator
{
    public const int MaxAttemptsLimit = 100;
    public const int MaxPools = 64;
    /// <summary>A bound that keeps TimeSpan arithmetic from overflowing; no policy waits a year.</summary>
    public const double MaxSeconds = 365 * 24 * 3600.0;
    /// <summary>Checkpointing more often than this costs more than it saves for any job CRIU can dump.</summary>
    public const double MinCheckpointIntervalSeconds = 1;

    /// <returns>Problems, empty when the policy is acceptable.</returns>
    public static IReadOnlyList<RecoveryPolicyProblem> Validate(RecoveryPolicy? policy, string prefix = "policy")
    {
        var problems = new List<RecoveryPolicyProblem>();
        string F(string field) => string.IsNullOrEmpty(prefix) ? field : $"{prefix}.{field}";
        void Add(string field, string message) => problems.Add(new RecoveryPolicyProblem(F(field), message));
        if (policy is null)
        {
            problems.Add(new RecoveryPolicyProblem(prefix, "is required"));
            return problems;
        }
        if (!Enum.IsDefined(policy.OnStall))
            Add("onStall", $"must be one of {Names<StallResponse>()}");
        if (!Enum.IsDefined(policy.OnStarvation))
            Add("onStarvation", $"must be one of {Names<StarvationResponse>()}");
        if (!Enum.IsDefined(policy.OnNodeLost))
            Add("onNodeLost", $"must be one of {Names<NodeLostResponse>()}");
        if (!Enum.IsDefined(policy.OnFailure))
            Add("onFailure", $"must be one of {Names<FailureResponse>()}");
        if (policy.MaxFailureRestarts is < 0 or > MaxAttemptsLimit)
            Add("maxFailureRestarts", $"must be between 0 and {MaxAttemptsLimit}");
        if (policy.MaxAttempts is < 1 or > MaxAttemptsLimit)
            Add("maxAttempts", $"must be between 1 and {MaxAttemptsLimit}");
        Seconds(policy.AttemptWindowSeconds, "attemptWindowSeconds", min: 1, Add);
        Seconds(policy.BackoffSeconds, "backoffSeconds", min: 0, Add);
        Seconds(policy.MaxBackoffSeconds, "maxBackoffSeconds", min: 0, Add);
        if (policy.MaxBackoffSeconds < policy.BackoffSeconds)
            Add("maxBackoffSeconds", $"must be at least backoffSeconds ({policy.BackoffSeconds:0.###})");
        Seconds(policy.CooldownSeconds, "cooldownSeconds", min: 0, Add);
        Pools(policy.AllowedPools, "allowedPools", Add);
        Pools(policy.PreferredPools, "preferredPools", Add);
        if (policy.AllowedPools is { Count: > 0 } allowed && policy.PreferredPools is { } preferred
            && preferred.FirstOrDefault(p => !allowed.Contains(p, StringComparer.Ordinal)) is { } stray)
            Add("preferredPools", $"names '{stray}', which allowedPools does not allow");
        if (policy.OnStarvation == StarvationResponse.MigratePool && !policy.AllowCrossPool)
            Add("onStarvation", "is MigratePool, which moves the job to another pool: set allowCrossPool to true, or use MigrateNode");
        Schedule(policy.Checkpoints, F("checkpoints"), problems);
        return problems;
    }

    private static void Schedule(CheckpointSchedule? schedule, string prefix, List<RecoveryPolicyProblem> problems)
    {
        void Add(string field, string message) => problems.Add(new RecoveryPolicyProblem($"{prefix}.{field}", message));
        if (schedule is null)
        {
            problems.Add(new RecoveryPolicyProblem(prefix, "is required (use {\"mode\": \"Off\"} for no periodic checkpoints)"));
            return;
        }
        if (!Enum.IsDefined(schedule.Mode))
            Add("mode", $"must be one of {Names<CheckpointMode>()}");
        Seconds(schedule.IntervalSeconds, "intervalSeconds", MinCheckpointIntervalSeconds, Add);
        Seconds(schedule.MinIntervalSeconds, "minIntervalSeconds", MinCheckpointIntervalSeconds, Add);
        Seconds(schedule.MaxIntervalSeconds, "maxIntervalSeconds", MinCheckpointIntervalSeconds, Add);
        if (schedule.MaxIntervalSeconds < schedule.MinIntervalSeconds)
            Add("maxIntervalSeconds", $"must be at least minIntervalSeconds ({schedule.MinIntervalSeconds:0.###})");
        Seconds(schedule.AssumedMtbfSeconds, "assumedMtbfSeconds", 1, Add);
    }

    private static void Seconds(double value, string field, double min, Action<string, string> add)
    {
        if (!double.IsFinite(value) || value < min || value > MaxSeconds)
            add(field, $"must be a number of seconds between {min:0.###} and {MaxSeconds:0}");
    }

    private static void Pools(IReadOnlyList<string>? pools, string field, Action<string, string> add)
    {
        if (pools is null)
        {
            add(field, "must be a list of pool names (it may be empty)");
            return;
        }
        if (pools.Count > MaxPools)
            add(field, $"must name at most {MaxPools} pools");
        if (pools.Any(p => !PoolNames.IsValid(p)))
            add(field, $"names '{pools.First(p => !PoolNames.IsValid(p))}': a pool name is {PoolNames.Rule}");
        else if (pools.Count != pools.Distinct(StringComparer.Ordinal).Count())
            add(field, "names a pool twice");
    }

    private static string Names<T>() where T : struct, Enum => string.Join(", ", Enum.GetNames<T>());
}
