using Caas.Contracts.Policies;
using Caas.Contracts.Views;

namespace Caas.Contracts.Services;

/// <summary>
/// Recovery policies as people see and steer them (portal, API, CLI). Calls that change something validate first and
/// throw <see cref="OperationRejectedException"/> (Invalid, with the field-named problems) having changed nothing.
/// </summary>
public interface IRecoveryPolicies
{
    Task<PolicyDefaults> GetDefaultsAsync(CancellationToken cancellationToken = default);
    Task<JobPolicyView> GetForJobAsync(string jobId, CancellationToken cancellationToken = default);
    /// <summary>Gives the job its own policy from now on; recorded in its stream.</summary>
    Task<JobPolicyView> SetForJobAsync(string jobId, RecoveryPolicy policy, CancellationToken cancellationToken = default);
    /// <summary>Replays the job's recorded stream through <paramref name="policy"/> (the job's own when null) without acting.</summary>
    Task<PolicyDryRun> DryRunAsync(string jobId, RecoveryPolicy? policy, CancellationToken cancellationToken = default);
}
