using System.Security.Claims;
using Caas.Web.Portal.Portal;
using Caas.Web.Portal.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Caas.Web.Portal.Api;

/// <summary>
/// The HTTP API over <see cref="IJobOperations"/>, <see cref="IJobQueries"/> and <see cref="IRecoveryIncidents"/>; the same routes serve /api/v1 and /api.
/// Every route needs a token (401 otherwise); the ones that change jobs need the operator role (403 otherwise);
/// a job outside the caller's projects answers 404 like a job that does not exist (<see cref="JobVisibility"/>).
/// </summary>
internal static class JobsApi
{
    public static RouteGroupBuilder Map(RouteGroupBuilder api)
    {
        api.AddEndpointFilter<RejectionProblemFilter>();
        api.WithTags("caas");
        api.RequireAuthorization(CaasPolicies.View);

        api.MapGet("/jobs", ListJobs)
            .Produces<Page<JobSummary>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapPost("/jobs", Submit)
            .RequireAuthorization(CaasPolicies.Operate)
            .WithJsonBody<SubmitJobRequest>(required: true)
            .Produces<JobView>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/jobs/{id}", GetJob)
            .Produces<JobView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/jobs/{id}/events", GetEvents)
            .Produces<Page<TimelineEntry>>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/incidents", GetRecentIncidents)
            .Produces<IReadOnlyList<RecoveryIncident>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/jobs/{id}/incidents", GetIncidents)
            .Produces<IReadOnlyList<RecoveryIncident>>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/jobs/{id}/checkpoint", Checkpoint)
            .RequireAuthorization(CaasPolicies.Operate)
            .WithJsonBody<CheckpointRequest>(required: false)
            .Produces<CheckpointAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/jobs/{id}/samples", GetSamples)
            .Produces<IReadOnlyList<JobSamplePoint>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/jobs/{id}/suspend", Suspend)
            .RequireAuthorization(CaasPolicies.Operate)
            .Produces<CheckpointAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/jobs/{id}/resume", Resume)
            .RequireAuthorization(CaasPolicies.Operate)
            .Produces<RestoreAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/jobs/{id}/migrate", Migrate)
            .RequireAuthorization(CaasPolicies.Operate)
            .WithJsonBody<MigrateRequest>(required: true)
            .Produces<MigrationStarted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/jobs/{id}/kill", Kill)
            .RequireAuthorization(CaasPolicies.Operate)
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/jobs/{id}/restore", Restore)
            .RequireAuthorization(CaasPolicies.Operate)
            .WithJsonBody<RestoreRequest>(required: false)
            .Produces<RestoreAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        JobOutputApi.Map(api);
        AlertsApi.Map(api);
        PoliciesApi.Map(api);
        api.MapGet("/nodes", GetNodes).Produces<IReadOnlyList<NodeStatus>>();
        NodesApi.Map(api);
        // An unknown API path gets a problem that says so, not an empty 404 a client cannot tell from a missing job.
        api.MapFallback((HttpRequest request) => TypedResults.Problem(
                detail: $"There is no API route {request.Method} {request.Path}; the routes are listed in /openapi/v1.json.",
                statusCode: StatusCodes.Status404NotFound,
                title: "Not found"))
            .ExcludeFromDescription();
        return api;
    }

    private static async Task<IResult> ListJobs(HttpRequest request, ClaimsPrincipal user, [FromServices] JobVisibility visibility, [FromServices] IJobQueries queries, CancellationToken ct)
    {
        var (skip, take) = ListQuery.Paging(request);
        var scope = await visibility.ScopeAsync(user, ct);
        var query = new JobListQuery
        {
            Projects = scope.FilterTo(ListQuery.Text(request, "project", 200)),
            Skip = skip,
            Take = take,
            Status = ListQuery.Status(request),
            Pool = ListQuery.Text(request, "pool", 200),
            NodeId = ListQuery.Text(request, "node", 200),
            SwappedOut = request.Query.ContainsKey("swappedOut") ? ListQuery.Flag(request, "swappedOut") : null,
            Text = ListQuery.Text(request, "q", JobListQuery.MaxTextLength),
            Sort = ListQuery.Choice<JobSortField>(request, "sort") ?? JobSortField.Submitted,
            Descending = ListQuery.Order(request, "order"),
        };
        return TypedResults.Ok(await queries.ListJobsAsync(query, ct));
    }

    private static async Task<IResult> Submit(HttpRequest request, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] JobVisibility visibility, [FromServices] IJobOperations operations, [FromServices] IOptions<JsonOptions> json, CancellationToken ct)
    {
        var body = await JsonRequestBody.ReadAsync<SubmitJobRequest>(request, json.Value.SerializerOptions, whenEmpty: null, ct);
        var (spec, problems) = body.ToSpec();
        if (spec is null)
            return TypedResults.Problem(
                detail: string.Join(" ", problems),
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid job spec",
                extensions: new Dictionary<string, object?> { ["problems"] = problems });
        await visibility.RequireMaySubmitAsync(user, spec.Project, ct);
        var job = await operations.SubmitAsync(spec, ct);
        await audit.RecordAsync(user, AuditActions.JobSubmitted, $"{job.JobId} in project {job.Spec.Project}");
        return TypedResults.Created($"{request.PathBase}{request.Path}/{job.JobId}", job);
    }

    private static async Task<IResult> GetJob(string id, ClaimsPrincipal user, [FromServices] JobVisibility visibility, CancellationToken ct) =>
        TypedResults.Ok(await visibility.RequireJobAsync(user, id, ct));

    private static async Task<IResult> GetEvents(string id, HttpRequest request, ClaimsPrincipal user, [FromServices] JobVisibility visibility, [FromServices] IJobQueries queries, CancellationToken ct)
    {
        var (skip, take) = ListQuery.Paging(request);
        await visibility.RequireJobAsync(user, id, ct);
        return TypedResults.Ok(await queries.GetTimelineAsync(id, skip, take, ct));
    }

    /// <summary>The newest recoveries of the user's projects' jobs, as the dashboard shows them; ?take=1..100 (default 20).</summary>
    private static async Task<IResult> GetRecentIncidents(HttpRequest request, ClaimsPrincipal user, [FromServices] JobVisibility visibility, [FromServices] IRecoveryIncidents incidents, CancellationToken ct)
    {
        var take = ListQuery.Integer(request, "take", 20);
        if (take is < 1 or > MaxRecentIncidents)
            throw new OperationRejectedException(RejectionKind.Invalid, $"'take' must be between 1 and {MaxRecentIncidents}.");
        return TypedResults.Ok(await visibility.RecentIncidentsAsync(await visibility.ScopeAsync(user, ct), incidents, take, ct));
    }

    private const int MaxRecentIncidents = 100;

    private static async Task<IResult> GetIncidents(string id, ClaimsPrincipal user, [FromServices] JobVisibility visibility, [FromServices] IRecoveryIncidents incidents, CancellationToken ct)
    {
        await visibility.RequireJobAsync(user, id, ct);
        return TypedResults.Ok(await incidents.ListForJobAsync(id, ct));
    }

    private static async Task<IResult> Checkpoint(string id, HttpRequest request, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] JobVisibility visibility, [FromServices] IJobOperations operations, [FromServices] IOptions<JsonOptions> json, CancellationToken ct)
    {
        await visibility.RequireJobAsync(user, id, ct);
        var body = await JsonRequestBody.ReadAsync(request, json.Value.SerializerOptions, whenEmpty: new CheckpointRequest(), ct);
        var sequence = await operations.CheckpointAsync(id, body.LeaveRunning, ct);
        await audit.RecordAsync(user, AuditActions.JobCheckpointed, $"{id} checkpoint {sequence}{(body.LeaveRunning ? "" : " and stop")}");
        return TypedResults.Accepted(JobPath(request, id), new CheckpointAccepted(sequence));
    }

    private static async Task<IResult> GetSamples(string id, HttpRequest request, ClaimsPrincipal user, [FromServices] JobVisibility visibility, [FromServices] IJobQueries queries, CancellationToken ct)
    {
        var take = ListQuery.Integer(request, "take", DefaultSamples);
        if (take is < 1 or > MaxSamples)
            throw new OperationRejectedException(RejectionKind.Invalid, $"'take' must be between 1 and {MaxSamples}.");
        await visibility.RequireJobAsync(user, id, ct);
        return TypedResults.Ok(await queries.GetSamplesAsync(id, take, ct));
    }

    private const int DefaultSamples = 120;
    private const int MaxSamples = 600;

    private static async Task<IResult> Suspend(string id, HttpRequest request, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] JobVisibility visibility, [FromServices] JobSuspension suspension, CancellationToken ct)
    {
        await visibility.RequireJobAsync(user, id, ct);
        var sequence = await suspension.SuspendAsync(id, ct);
        await audit.RecordAsync(user, AuditActions.JobSuspended, $"{id} (checkpoint {sequence})");
        return TypedResults.Accepted(JobPath(request, id), new CheckpointAccepted(sequence));
    }

    private static async Task<IResult> Resume(string id, HttpRequest request, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] JobVisibility visibility, [FromServices] JobSuspension suspension, CancellationToken ct)
    {
        await visibility.RequireJobAsync(user, id, ct);
        var incident = await suspension.ResumeAsync(id, ct);
        await audit.RecordAsync(user, AuditActions.JobResumed, $"{id} (incident {incident})");
        return TypedResults.Accepted(JobPath(request, id), new RestoreAccepted(incident));
    }

    private static async Task<IResult> Migrate(string id, HttpRequest request, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] JobVisibility visibility, [FromServices] IJobMigrations migrations, [FromServices] IOptions<JsonOptions> json, CancellationToken ct)
    {
        await visibility.RequireJobAsync(user, id, ct);
        var body = await JsonRequestBody.ReadAsync<MigrateRequest>(request, json.Value.SerializerOptions, whenEmpty: null, ct);
        var started = await migrations.MigrateAsync(id, Blank(body.Node), Blank(body.Pool), ct);
        await audit.RecordAsync(user, AuditActions.JobMigrated, $"{id} from {started.SourceNodeId} to {started.TargetNodeId} (checkpoint {started.Sequence})");
        return TypedResults.Accepted(JobPath(request, id), started);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static async Task<IResult> Kill(string id, HttpRequest request, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] JobVisibility visibility, [FromServices] IJobOperations operations, CancellationToken ct)
    {
        await visibility.RequireJobAsync(user, id, ct);
        await operations.KillAsync(id, ct);
        await audit.RecordAsync(user, AuditActions.JobKilled, id);
        return TypedResults.Accepted(JobPath(request, id));
    }

    private static async Task<IResult> Restore(string id, HttpRequest request, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] JobVisibility visibility, [FromServices] IJobOperations operations, [FromServices] IOptions<JsonOptions> json, CancellationToken ct)
    {
        await visibility.RequireJobAsync(user, id, ct);
        var body = await JsonRequestBody.ReadAsync(request, json.Value.SerializerOptions, whenEmpty: new RestoreRequest(), ct);
        var incident = await operations.RestoreAsync(id, body.Sequence, ct);
        await audit.RecordAsync(user, AuditActions.JobRestored, $"{id} from checkpoint {body.Sequence?.ToString() ?? "newest"} (incident {incident})");
        return TypedResults.Accepted(JobPath(request, id), new RestoreAccepted(incident));
    }

    private static async Task<IResult> GetNodes([FromServices] IJobQueries queries, CancellationToken ct) =>
        TypedResults.Ok(await queries.GetNodesAsync(ct));

    private static string JobPath(HttpRequest request, string id)
    {
        // The action routes end in /{id}/<action>; the job's own URL is the path without the last segment.
        var path = $"{request.PathBase}{request.Path}";
        return path[..path.LastIndexOf('/')];
    }
}
