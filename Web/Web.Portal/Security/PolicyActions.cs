using Caas.Contracts.Policies;
using Microsoft.AspNetCore.Components.Authorization;

namespace Caas.Web.Portal.Security;

/// <summary>What the Policies page may change, for the logged-in user: setting a job's policy needs the operator role (checked here, on the server) and is audited.</summary>
public sealed class PolicyActions(IRecoveryPolicies policies, AuthenticationStateProvider authentication, AuditLog audit)
{
    public async Task<JobPolicyView> SetForJobAsync(string jobId, RecoveryPolicy policy)
    {
        var user = await authentication.RequireOperatorAsync("set recovery policies");
        var set = await policies.SetForJobAsync(jobId, policy);
        audit.Record(user, "set the recovery policy of", jobId);
        return set;
    }
}
