using System.Security.Claims;
using Caas.Web.Portal.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Caas.Web.Portal.Api;

/// <summary>Users and their roles, for admins.</summary>
internal static class UsersApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/users", List)
            .RequireAuthorization(CaasPolicies.Administer)
            .Produces<IReadOnlyList<UserAccount>>();
        api.MapPost("/users", Create)
            .RequireAuthorization(CaasPolicies.Administer)
            .WithJsonBody<CreateUserRequest>(required: true)
            .Produces<UserAccount>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> List([FromServices] ISecurityStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.ListUsersAsync(ct));

    private static async Task<IResult> Create(HttpRequest request, ClaimsPrincipal admin, [FromServices] ISecurityStore store, [FromServices] AuditLog audit,
        [FromServices] IOptions<JsonOptions> json, CancellationToken ct)
    {
        var body = await JsonRequestBody.ReadAsync<CreateUserRequest>(request, json.Value.SerializerOptions, whenEmpty: null, ct);
        var user = await store.CreateUserAsync(body.Name ?? "", body.Password ?? "", body.Role ?? "", body.Projects, ct);
        await audit.RecordAsync(admin, AuditActions.UserCreated, $"{user.Name} with role {user.Role} in {string.Join(", ", user.Projects)}");
        return TypedResults.Created($"{request.PathBase}{request.Path}/{user.Name}", user);
    }
}
