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
/// one too (a token alone is not enough) and is limited like a login (<see cref="PasswordChanges"/>), and is audited. Tokens are under /api/v1/tokens.
/// </summary>
internal static class AccountApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/account/password", ChangePassword)
            .WithJsonBody<ChangePasswordRequest>(required: true)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }

    private static async Task<IResult> ChangePassword(HttpContext context, ClaimsPrincipal user, [FromServices] PasswordChanges passwords,
        [FromServices] IOptions<JsonOptions> json, CancellationToken ct)
    {
        var body = await JsonRequestBody.ReadAsync<ChangePasswordRequest>(context.Request, json.Value.SerializerOptions, whenEmpty: null, ct);
        try
        {
            await passwords.ChangeAsync(user, body.CurrentPassword ?? "", body.NewPassword ?? "", ct);
        }
        catch (TooManyPasswordGuessesException e)
        {
            context.Response.Headers.RetryAfter = e.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(detail: e.Message, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests");
        }
        return TypedResults.NoContent();
    }
}
