using System.Security.Claims;
using Caas.Web.Portal.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Caas.Web.Portal.Api;

/// <summary>Projects and their members, for admins: who sees and steers which jobs.</summary>
internal static class ProjectsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/projects", List)
            .RequireAuthorization(CaasPolicies.Administer)
            .Produces<IReadOnlyList<ProjectInfo>>();
        api.MapPost("/projects", Create)
            .RequireAuthorization(CaasPolicies.Administer)
            .WithJsonBody<CreateProjectRequest>(required: true)
            .Produces<ProjectInfo>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPut("/projects/{project}/members/{user}", AddMember)
            .RequireAuthorization(CaasPolicies.Administer)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/projects/{project}/members/{user}", RemoveMember)
            .RequireAuthorization(CaasPolicies.Administer)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> List([FromServices] ISecurityStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.ListProjectsAsync(ct));

    private static async Task<IResult> Create(HttpRequest request, ClaimsPrincipal admin, [FromServices] ISecurityStore store, [FromServices] AuditLog audit,
        [FromServices] IOptions<JsonOptions> json, CancellationToken ct)
    {
        var body = await JsonRequestBody.ReadAsync<CreateProjectRequest>(request, json.Value.SerializerOptions, whenEmpty: null, ct);
        var project = await store.CreateProjectAsync(body.Name ?? "", ct);
        await audit.RecordAsync(admin, AuditActions.ProjectCreated, project.Name);
        return TypedResults.Created($"{request.PathBase}{request.Path}/{project.Name}", project);
    }

    private static async Task<IResult> AddMember(string project, string user, ClaimsPrincipal admin, [FromServices] ISecurityStore store, [FromServices] AuditLog audit, CancellationToken ct)
    {
        var added = await store.AddMemberAsync(project, user, ct);
        if (added)
            await audit.RecordAsync(admin, AuditActions.ProjectMemberAdded, $"{user} to {project}");
        return TypedResults.NoContent();
    }

    private static async Task<IResult> RemoveMember(string project, string user, ClaimsPrincipal admin, [FromServices] ISecurityStore store, [FromServices] AuditLog audit, CancellationToken ct)
    {
        await store.RemoveMemberAsync(project, user, ct);
        await audit.RecordAsync(admin, AuditActions.ProjectMemberRemoved, $"{user} from {project}");
        return TypedResults.NoContent();
    }
}
