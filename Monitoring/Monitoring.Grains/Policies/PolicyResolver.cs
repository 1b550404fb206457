using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Policies;

/// <summary>
/// The policy a job is under: its own, else its pool's default, else the platform's. The older <see cref="JobSpec.OnStall"/>
/// still counts when the job has no policy of its own: AlertOnly there makes the default's stall response alert only.
/// </summary>
public sealed class PolicyResolver(RecoveryPolicyOptions options)
{
    public const string JobSource = "job";
    public const string PlatformSource = "platform";

    public PolicyDefaults Defaults => new(options.Platform, options.Pools);

    /// <param name="pool">The pool the job runs in (its spec's, else its node's); null when unknown.</param>
    public (RecoveryPolicy Policy, string Source) For(JobSpec spec, string? pool)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Policy is { } own)
            return (own, JobSource);
        var (policy, source) = pool is not null && options.Pools.TryGetValue(pool, out var pooled)
            ? (pooled, $"pool:{pool}")
            : (options.Platform, PlatformSource);
        return spec.OnStall == StallAction.AlertOnly
            ? (policy with { OnStall = StallResponse.AlertOnly }, $"{source} (onStall AlertOnly from the spec)")
            : (policy, source);
    }
}
