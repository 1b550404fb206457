using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace Caas.Web.Portal.Security;

/// <summary>The portal's server-side check that the logged-in user may change things (operator role or more).</summary>
public static class OperatorCheck
{
    /// <param name="what">What the user tried, for the refusal: "kill jobs", "drain nodes".</param>
    /// <exception cref="OperationRejectedException">Forbidden: not logged in, or a role that may only look.</exception>
    public static async Task<ClaimsPrincipal> RequireOperatorAsync(this AuthenticationStateProvider authentication, string what)
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        if (user.Identity?.IsAuthenticated != true)
            throw new OperationRejectedException(RejectionKind.Forbidden, $"You are not logged in: log in to {what}.");
        if (!user.IsInRole(CaasRoles.Operator))
            throw new OperationRejectedException(RejectionKind.Forbidden,
                $"{user.Identity.Name} has the role {CaasRoles.PrimaryRole(user)}, which may look but not {what}; an admin can give you the operator role.");
        return user;
    }
}
