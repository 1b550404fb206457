using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Caas.Web.Portal.Security;

/// <summary>/login and /logout for the portal's cookie; both forms carry an antiforgery token.</summary>
internal static class LoginEndpoints
{
    private const string CssPath = "/_content/Web.Portal/caas.css";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/login", (HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
                Page(context, antiforgery, returnUrl, null, null, StatusCodes.Status200OK))
            .AllowAnonymous().ExcludeFromDescription();

        app.MapPost("/login", async (HttpContext context, IAntiforgery antiforgery, ISecurityStore store, AuditLog audit, PasswordGuessLimiter guesses,
                [FromForm] string? user, [FromForm] string? password, [FromForm] string? returnUrl) =>
            {
                // The name tried comes from anyone, before any login: it is kept short so it cannot bloat the trail.
                var tried = user is { Length: > 64 } ? user[..64] + "…" : user ?? "";
                var client = PasswordGuessLimiter.ClientOf(context);
                if (guesses.RetryAfter(client, user ?? "") is { } wait)
                {
                    var seconds = PasswordGuessLimiter.WholeSeconds(wait);
                    await audit.RecordAsync(tried, AuditActions.Login, "the portal", AuditOutcome.Refused, $"too many wrong passwords from {client}");
                    context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return Page(context, antiforgery, returnUrl, user, $"Too many wrong passwords from here. Try again in {seconds} s.", StatusCodes.Status429TooManyRequests);
                }
                var account = string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password)
                    ? null
                    : await store.VerifyPasswordAsync(user, password, context.RequestAborted);
                if (account is null)
                {
                    if (!string.IsNullOrEmpty(user) && !string.IsNullOrEmpty(password))
                        guesses.RecordFailure(client, user);
                    await audit.RecordAsync(tried, AuditActions.Login, "the portal", AuditOutcome.Refused, "wrong user name or password");
                    return Page(context, antiforgery, returnUrl, user, "The user name or password is not right.", StatusCodes.Status401Unauthorized);
                }
                guesses.RecordSuccess(client, user!);
                await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
                    CaasRoles.Principal(account, CookieAuthenticationDefaults.AuthenticationScheme));
                await audit.RecordAsync(account.Name, AuditActions.Login, "the portal");
                return Results.Redirect(LocalOrHome(returnUrl));
            })
            .AllowAnonymous().ExcludeFromDescription();

        app.MapPost("/logout", async (HttpContext context, AuditLog audit, [FromForm] string? returnUrl) =>
            {
                if (context.User.Identity?.IsAuthenticated == true)
                    await audit.RecordAsync(context.User, AuditActions.Logout, "the portal");
                await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                return Results.Redirect("/login");
            })
            .AllowAnonymous().ExcludeFromDescription();
    }

    private static IResult Page(HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? user, string? problem, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var html = LoginPage.Render(CssPath, tokens.FormFieldName, tokens.RequestToken!, LocalOrHome(returnUrl), user, problem);
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }

    // Only a path on this site: "//host" or "/\host" would send a freshly logged-in user elsewhere.
    private static string LocalOrHome(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
            ? url
            : "/";
}
