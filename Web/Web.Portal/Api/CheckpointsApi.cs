using System.Globalization;
using System.Security.Claims;
using Caas.Web.Portal.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Caas.Web.Portal.Api;

/// <summary>
/// The checkpoint catalog: list across jobs or per job, "verify now" (a test restore on the node holding the image) and
/// delete. Reading needs a viewer, acting an operator; a checkpoint the job still needs is a 409 with the reason.
/// </summary>
internal static class CheckpointsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/checkpoints", List)
            .Produces<Page<CheckpointCatalogEntry>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/jobs/{id}/checkpoints", ListOfJob)
            .Produces<Page<CheckpointCatalogEntry>>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/jobs/{id}/checkpoints/{sequence}/verify", Verify)
            .RequireAuthorization(CaasPolicies.Operate)
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/jobs/{id}/checkpoints/{sequence}", Delete)
            .RequireAuthorization(CaasPolicies.Operate)
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> List(HttpRequest request, ClaimsPrincipal user, [FromServices] JobVisibility visibility, [FromServices] IJobQueries queries, CancellationToken ct)
    {
        var (skip, take) = ListQuery.Paging(request);
        var job = request.Query["job"].ToString();
        var node = request.Query["node"].ToString();
        if (job.Length > 0 && !JobIds.IsValid(job))
            throw new OperationRejectedException(RejectionKind.Invalid, $"'job' must be a job id like job-0123456789; got '{job}'.");
        var filter = new CheckpointCatalogFilter
        {
            JobId = job.Length > 0 ? job : null,
            NodeId = node.Length > 0 ? node : null,
            Verification = Verification(request),
            IncludeRemoved = request.Query.ContainsKey("includeRemoved") ? ListQuery.Flag(request, "includeRemoved") : true,
            Projects = (await visibility.ScopeAsync(user, ct)).Filter,
        };
        return TypedResults.Ok(await queries.ListCheckpointsAsync(filter, skip, take, ct));
    }

    private static async Task<IResult> ListOfJob(string id, HttpRequest request, ClaimsPrincipal user, [FromServices] JobVisibility visibility, [FromServices] IJobQueries queries, CancellationToken ct)
    {
        var (skip, take) = ListQuery.Paging(request);
        await visibility.RequireJobAsync(user, id, ct);
        return TypedResults.Ok(await queries.ListCheckpointsAsync(new CheckpointCatalogFilter { JobId = id }, skip, take, ct));
    }

    private static Task<IResult> Verify(string id, string sequence, HttpRequest request, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] JobVisibility visibility, [FromServices] IJobOperations operations, CancellationToken ct) =>
        ActAsync(id, sequence, request, user, audit, visibility, AuditActions.CheckpointVerified, number => operations.VerifyCheckpointAsync(id, number, ct), ct);

    private static Task<IResult> Delete(string id, string sequence, HttpRequest request, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] JobVisibility visibility, [FromServices] IJobOperations operations, CancellationToken ct) =>
        ActAsync(id, sequence, request, user, audit, visibility, AuditActions.CheckpointDeleted, number => operations.DeleteCheckpointAsync(id, number, ct), ct);

    /// <summary>Checks the id and sequence before anything is asked, then audits what was done; the outcome shows in the catalog.</summary>
    private static async Task<IResult> ActAsync(string id, string sequence, HttpRequest request, ClaimsPrincipal user, AuditLog audit, JobVisibility visibility,
        string action, Func<int, Task> act, CancellationToken ct)
    {
        await visibility.RequireJobAsync(user, id, ct);
        var number = Sequence(sequence);
        await act(number);
        await audit.RecordAsync(user, action, $"{id} checkpoint {number}");
        return TypedResults.Accepted($"{request.PathBase}/api/v1/jobs/{id}/checkpoints");
    }

    private static int Sequence(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) && sequence > 0
            ? sequence
            : throw new OperationRejectedException(RejectionKind.Invalid, $"The checkpoint sequence must be a whole number from 1 up; got '{text}'.");

    private static CheckpointVerification? Verification(HttpRequest request) => ListQuery.Choice<CheckpointVerification>(request, "status");
}
