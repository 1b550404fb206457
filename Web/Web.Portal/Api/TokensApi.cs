using System.Security.Claims;
using Caas.Web.Portal.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Caas.Web.Portal.Api;

/// <summary>The caller's own API tokens: create (secret shown once), list (no secrets), revoke.</summary>
internal static class TokensApi
{
    public static RouteGroupBuilder Map(RouteGroupBuilder tokens)
    {
        tokens.AddEndpointFilter<RejectionProblemFilter>();
        tokens.WithTags("caas");
        tokens.RequireAuthorization(CaasPolicies.ManageOwnTokens);
        tokens.MapPost("", Create)
            .WithJsonBody<CreateTokenRequest>(required: false)
            .Produces<CreatedToken>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        tokens.MapGet("", List).Produces<IReadOnlyList<ApiTokenInfo>>();
        tokens.MapDelete("/{id}", Revoke)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return tokens;
    }

    private static async Task<IResult> Create(HttpRequest request, ClaimsPrincipal user, [FromServices] ISecurityStore store, [FromServices] AuditLog audit,
        [FromServices] IOptions<JsonOptions> json, CancellationToken ct)
    {
        var body = await JsonRequestBody.ReadAsync(request, json.Value.SerializerOptions, whenEmpty: new CreateTokenRequest(), ct);
        if (body.ExpiresInDays is < 1)
            throw new OperationRejectedException(RejectionKind.Invalid, "'expiresInDays' must be at least 1.");
        var (token, secret) = await store.CreateTokenAsync(user.Identity!.Name!, body.Name ?? "API token",
            body.ExpiresInDays is { } days ? TimeSpan.FromDays(days) : null, ct);
        await audit.RecordAsync(user, AuditActions.TokenCreated, $"{token.Id} ({token.Name}, expires {token.ExpiresAt:O})");
        return TypedResults.Created($"{request.PathBase}{request.Path}/{token.Id}",
            new CreatedToken(token.Id, token.Name, token.CreatedAt, token.ExpiresAt, secret));
    }

    private static async Task<IResult> List(ClaimsPrincipal user, [FromServices] ISecurityStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.ListTokensAsync(user.Identity!.Name!, ct));

    /// <summary>"current" names the token this request carries: how caas-cli logs out without knowing its token's id.</summary>
    public const string CurrentToken = "current";

    private static async Task<IResult> Revoke(string id, ClaimsPrincipal user, [FromServices] ISecurityStore store, [FromServices] AuditLog audit, CancellationToken ct)
    {
        if (id == CurrentToken)
            id = user.FindFirst(ApiTokenAuthenticationHandler.TokenIdClaim)?.Value
                ?? throw new OperationRejectedException(RejectionKind.Invalid, "'current' means the token this request carries, and it carries none (it came with a cookie or a password).");
        await store.RevokeTokenAsync(user.Identity!.Name!, id, ct);
        await audit.RecordAsync(user, AuditActions.TokenRevoked, id);
        return TypedResults.NoContent();
    }
}
