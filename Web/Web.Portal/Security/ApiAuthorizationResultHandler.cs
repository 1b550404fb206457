using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Web.Portal.Security;

/// <summary>
/// Under /api a refusal is an RFC 7807 problem (401 with what to send, 403 with the role needed), never a
/// redirect to the login page; pages keep the cookie scheme's redirect.
/// </summary>
internal sealed class ApiAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler pages = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded || !context.Request.Path.StartsWithSegments("/api"))
        {
            await pages.HandleAsync(next, context, policy, authorizeResult);
            return;
        }
        if (authorizeResult.Forbidden)
        {
            var needed = policy.Requirements.OfType<RolesAuthorizationRequirement>()
                .FirstOrDefault(r => !r.AllowedRoles.Any(context.User.IsInRole))?.AllowedRoles.First() ?? CaasRoles.Admin;
            await context.RequestServices.GetRequiredService<AuditLog>().RecordAsync(context.User, AuditActions.AccessDenied,
                $"{context.Request.Method} {context.Request.Path}", AuditOutcome.Refused, $"needs the role {needed}");
            await TypedResults.Problem(
                detail: $"{context.User.Identity?.Name} has the role {CaasRoles.PrimaryRole(context.User)}; {context.Request.Method} {context.Request.Path} needs the role {needed}.",
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden").ExecuteAsync(context);
            return;
        }
        var reason = context.Items[ApiTokenAuthenticationHandler.FailureItem] as string;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"caas\"";
        await TypedResults.Problem(
            detail: $"{reason ?? "No credentials were sent."} Send Authorization: Bearer <token>; get a token with 'caas-cli login' or POST /api/v1/tokens.",
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthorized").ExecuteAsync(context);
    }
}
