using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;
using Microsoft.Extensions.Options;

namespace Caas.Monitoring.Grains.Policies;

/// <summary>Refuses to start with a default policy that a job's own policy could not have: every problem named by its configuration key.</summary>
public sealed class RecoveryPolicyOptionsValidator : IValidateOptions<RecoveryPolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, RecoveryPolicyOptions options)
    {
        var problems = new List<string>();
        var prefix = RecoveryPolicyOptions.SectionName;
        problems.AddRange(RecoveryPolicyValidator.Validate(options.Platform, $"{prefix}:Platform").Select(Describe));
        foreach (var (pool, policy) in options.Pools ?? [])
        {
            if (!PoolNames.IsValid(pool))
                problems.Add($"'{prefix}:Pools:{pool}' is not a pool name: a pool name is {PoolNames.Rule}.");
            problems.AddRange(RecoveryPolicyValidator.Validate(policy, $"{prefix}:Pools:{pool}").Select(Describe));
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    // Configuration keys are separated by ':', as operators write them in settings files and --Caas:Policies:... flags.
    private static string Describe(RecoveryPolicyProblem problem) => $"'{problem.Field.Replace('.', ':')}' {problem.Message}.";
}
