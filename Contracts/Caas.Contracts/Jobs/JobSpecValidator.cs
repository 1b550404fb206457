using Caas.Contracts.Policies;

namespace Caas.Contracts.Jobs;

/// <summary>Checks a job spec for what can be known without a node: bad specs are refused before any event is recorded.</summary>
public static class JobSpecValidator
{
    public const int MaxArgs = 4096;
    public const int MaxFieldLength = 16 * 1024;

    /// <returns>Problems, one sentence each; empty when the spec is acceptable.</returns>
    public static IReadOnlyList<string> Validate(JobSpec? spec)
    {
        var problems = new List<string>();
        if (spec is null)
        {
            problems.Add("A job spec is required.");
            return problems;
        }
        if (string.IsNullOrWhiteSpace(spec.Command))
            problems.Add("'command' is empty: give the program to run, e.g. \"/usr/bin/sleep\".");
        else if (spec.Command.Length > MaxFieldLength || spec.Command.Contains('\0'))
            problems.Add("'command' is too long or contains a NUL character.");
        if (spec.Args is null)
            problems.Add("'args' must be a list (it may be empty).");
        else if (spec.Args.Count > MaxArgs || spec.Args.Any(a => a is null || a.Length > MaxFieldLength || a.Contains('\0')))
            problems.Add($"'args' must have at most {MaxArgs} entries, each non-null, without NUL and at most {MaxFieldLength} characters.");
        if (spec.Env is not null && spec.Env.Any(kv => string.IsNullOrEmpty(kv.Key) || kv.Key.Contains('=') || kv.Key.Contains('\0') || (kv.Value?.Contains('\0') ?? true)))
            problems.Add("'env' names must be non-empty without '=' or NUL, and values non-null without NUL.");
        if (spec.WorkingDirectory is { } wd && !Path.IsPathFullyQualified(wd))
            problems.Add("'workingDirectory' must be an absolute path.");
        if (spec.StallThreshold < JobDefaults.MinimumStallThreshold)
            problems.Add($"'stallThreshold' must be at least {JobDefaults.MinimumStallThreshold.TotalSeconds:0} seconds.");
        if (spec.StarvationWindow != TimeSpan.Zero && spec.StarvationWindow < JobDefaults.MinimumStarvationWindow)
            problems.Add($"'starvationWindow' must be zero (off) or at least {JobDefaults.MinimumStarvationWindow.TotalSeconds:0} seconds.");
        if (!(spec.StarvationRatio > 0 && spec.StarvationRatio < 1))
            problems.Add("'starvationRatio' must be a fraction between 0 and 1 (exclusive), e.g. 0.25 for a quarter of the job's usual pace.");
        if (spec.MemoryLimitBytes is < JobDefaults.MinimumMemoryLimitBytes)
            problems.Add($"'memoryLimit' must be at least {JobDefaults.MinimumMemoryLimitBytes >> 20} MiB.");
        if (spec.Priority is < JobDefaults.MinimumPriority or > JobDefaults.MaximumPriority)
            problems.Add($"'priority' must be between {JobDefaults.MinimumPriority} and {JobDefaults.MaximumPriority} (0 is normal, higher runs first).");
        if (spec.Name is { Length: > 200 })
            problems.Add("'name' must be at most 200 characters.");
        if (spec.Pool is { } pool && !PoolNames.IsValid(pool))
            problems.Add($"'pool' must be {PoolNames.Rule}.");
        problems.AddRange(NodeLabelRules.Validate(spec.NodeLabels, "nodeLabels"));
        if (spec.Policy is { } policy)
            problems.AddRange(RecoveryPolicyValidator.Validate(policy, "policy").Select(p => p + "."));
        if (!JobProjects.IsValidName(spec.Project))
            problems.Add(JobProjects.NameRule("project"));
        problems.AddRange(RankProblems(spec));
        return problems;
    }

    /// <summary>What a distributed job (<see cref="JobSpec.Ranks"/>) may not ask for: each rank has its own working directory and namespace.</summary>
    private static IEnumerable<string> RankProblems(JobSpec spec)
    {
        if (spec.Ranks is not { } ranks)
            yield break;
        if (ranks is < 1 or > JobDefaults.MaximumRanks)
            yield return $"'ranks' must be between 1 and {JobDefaults.MaximumRanks} (one node per rank).";
        if (spec.WorkingDirectory is not null)
            yield return "'workingDirectory' cannot be set for a distributed job: each rank starts in a directory of its own that travels with its checkpoints.";
        if (spec.Env is { Count: > 0 })
            yield return "'env' cannot be set for a distributed job yet: its ranks get CAAS_RANK, CAAS_RANKS and CAAS_RANK_ADDRESSES only.";
        if (spec.MemoryLimitBytes is not null)
            yield return "'memoryLimit' cannot be set for a distributed job yet.";
    }
}
