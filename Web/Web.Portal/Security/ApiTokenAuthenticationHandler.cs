using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Web.Portal.Security;

/// <summary>Authenticates "Authorization: Bearer caas_..." against the token store.</summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ISecurityStore store)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "CaasToken";
    /// <summary>HttpContext.Items key under which a refused credential's reason waits for the 401's detail.</summary>
    public const string FailureItem = "caas.authentication.failure";
    /// <summary>Claim naming the token a request was authenticated with, so that it can revoke itself (caas-cli logout).</summary>
    public const string TokenIdClaim = "caas:token";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.NoResult();
        var check = await store.CheckTokenAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (check.User is null)
        {
            Context.Items[FailureItem] = check.Problem;
            return AuthenticateResult.Fail(check.Problem!);
        }
        var principal = CaasRoles.Principal(check.User, SchemeName);
        ((System.Security.Claims.ClaimsIdentity)principal.Identity!).AddClaim(new System.Security.Claims.Claim(TokenIdClaim, check.TokenId!));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
