using System.Security.Claims;
using Caas.Web.Portal.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Caas.Web.Portal.Api;

/// <summary>
/// The read models' projections: their lag behind the event store (viewers), and rebuilding them from the store
/// (admins: a rebuild makes lists incomplete until it catches up).
/// </summary>
internal static class ProjectionsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/projections", List)
            .Produces<IReadOnlyList<ProjectionView>>();
        api.MapPost("/projections/rebuild", RebuildAll)
            .RequireAuthorization(CaasPolicies.Administer)
            .Produces<IReadOnlyList<ProjectionView>>(StatusCodes.Status202Accepted);
        api.MapPost("/projections/{name}/rebuild", Rebuild)
            .RequireAuthorization(CaasPolicies.Administer)
            .Produces<IReadOnlyList<ProjectionView>>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> List([FromServices] IProjectionOperations projections, CancellationToken ct) =>
        TypedResults.Ok(await projections.ListProjectionsAsync(ct));

    private static Task<IResult> RebuildAll(ClaimsPrincipal admin, [FromServices] AuditLog audit, [FromServices] IProjectionOperations projections, CancellationToken ct) =>
        StartRebuild(null, admin, audit, projections, ct);

    private static Task<IResult> Rebuild(string name, ClaimsPrincipal admin, [FromServices] AuditLog audit, [FromServices] IProjectionOperations projections, CancellationToken ct) =>
        StartRebuild(name, admin, audit, projections, ct);

    private static async Task<IResult> StartRebuild(string? name, ClaimsPrincipal admin, AuditLog audit, IProjectionOperations projections, CancellationToken ct)
    {
        var started = await projections.RebuildAsync(name, ct);
        await audit.RecordAsync(admin, AuditActions.ProjectionsRebuilt, string.Join(", ", started.Select(v => v.Name)));
        return TypedResults.Accepted("/api/v1/projections", started);
    }
}
