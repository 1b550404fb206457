using System.Security.Claims;
using Caas.Web.Portal.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Caas.Web.Portal.Api;

/// <summary>
/// The caller's own account, as the portal's Account page offers it: changing one's password, which needs the current
/// one too (a token alone is not enough), and is audited. Tokens are under /api/v1/tokens.
/// </summary>
internal static class AccountApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/account/password", ChangePassword)
            .WithJsonBody<ChangePasswordRequest>(required: true)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> ChangePassword(HttpRequest request, ClaimsPrincipal user, [FromServices] ISecurityStore store, [FromServices] AuditLog audit,
        [FromServices] IOptions<JsonOptions> json, CancellationToken ct)
    {
        var body = await JsonRequestBody.ReadAsync<ChangePasswordRequest>(request, json.Value.SerializerOptions, whenEmpty: null, ct);
        var name = user.Identity!.Name!;
        await store.ChangePasswordAsync(name, body.CurrentPassword ?? "", body.NewPassword ?? "", ct);
        await audit.RecordAsync(user, AuditActions.PasswordChanged, name);
        return TypedResults.NoContent();
    }
}
