using Caas.Contracts.Policies;
using Microsoft.AspNetCore.Components.Authorization;

namespace Caas.Web.Portal.Security;

/// <summary>
/// What the Policies page may read and change, for the logged-in user: only jobs of the user's projects (another
/// project's job is not found, as in the API); setting a job's policy needs the operator role (checked here, on the
/// server) and is audited.
/// </summary>
public sealed class PolicyActions(IRecoveryPolicies policies, AuthenticationStateProvider authentication, AuditLog audit, JobVisibility visibility)
{
    public async Task<JobPolicyView> GetForJobAsync(string jobId)
    {
        await visibility.RequireJobAsync((await authentication.GetAuthenticationStateAsync()).User, jobId);
        return await policies.GetForJobAsync(jobId);
    }

    public async Task<PolicyDryRun> DryRunAsync(string jobId, RecoveryPolicy? policy)
    {
        await visibility.RequireJobAsync((await authentication.GetAuthenticationStateAsync()).User, jobId);
        return await policies.DryRunAsync(jobId, policy);
    }

    public async Task<JobPolicyView> SetForJobAsync(string jobId, RecoveryPolicy policy)
    {
        var user = await authentication.RequireOperatorAsync("set recovery policies");
        await visibility.RequireJobAsync(user, jobId);
        var set = await policies.SetForJobAsync(jobId, policy);
        await audit.RecordAsync(user, AuditActions.JobPolicySet, jobId);
        return set;
    }
}
