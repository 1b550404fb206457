using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Web.Portal.Security;

/// <summary>
/// HTTP Basic user:password, accepted only where a policy names this scheme (creating a token), so that
/// caas-cli can log in once and then use the token; passwords do not travel with every call.
/// </summary>
internal sealed class PasswordAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ISecurityStore store, PasswordGuessLimiter guesses)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "CaasPassword";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.NoResult();
        string pair;
        try
        {
            pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return Refuse("The Basic credentials are not base64 of user:password.");
        }
        var colon = pair.IndexOf(':');
        if (colon <= 0)
            return Refuse("The Basic credentials are not base64 of user:password.");
        var (name, client) = (pair[..colon], PasswordGuessLimiter.ClientOf(Context));
        if (guesses.RetryAfter(client, name) is { } wait)
            return Refuse($"Too many wrong passwords from this address; try again in {PasswordGuessLimiter.WholeSeconds(wait)} s.");
        var user = await store.VerifyPasswordAsync(name, pair[(colon + 1)..], Context.RequestAborted);
        if (user is null)
        {
            guesses.RecordFailure(client, name);
            return Refuse("The user name or password is not right.");
        }
        guesses.RecordSuccess(client, name);
        return AuthenticateResult.Success(new AuthenticationTicket(CaasRoles.Principal(user, SchemeName), SchemeName));
    }

    private AuthenticateResult Refuse(string problem)
    {
        Context.Items[ApiTokenAuthenticationHandler.FailureItem] = problem;
        return AuthenticateResult.Fail(problem);
    }
}
