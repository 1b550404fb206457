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
/// Alerts and silences over <see cref="IAlertOperations"/>: viewers list, operators acknowledge and silence
/// (403 otherwise); every change is audited. Users see and act only on alerts and silences of their projects' jobs
/// (<see cref="JobVisibility"/>, <see cref="SilenceScope"/>).
/// </summary>
internal static class AlertsApi
{
    public static RouteGroupBuilder Map(RouteGroupBuilder api)
    {
        api.MapGet("/alerts", ListAlerts)
            .Produces<Page<AlertView>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/alerts/{id}", GetAlert)
            .Produces<AlertView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/jobs/{id}/alerts", ListJobAlerts)
            .Produces<Page<AlertView>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/alerts/{id}/ack", Acknowledge)
            .RequireAuthorization(CaasPolicies.Operate)
            .WithJsonBody<AcknowledgeRequest>(required: false)
            .Produces<AlertView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/silences", ListSilences).Produces<IReadOnlyList<SilenceView>>();
        api.MapPost("/silences", CreateSilence)
            .RequireAuthorization(CaasPolicies.Operate)
            .WithJsonBody<SilenceRequest>(required: true)
            .Produces<SilenceView>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapDelete("/silences/{id}", ExpireSilence)
            .RequireAuthorization(CaasPolicies.Operate)
            .Produces<SilenceView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<IResult> ListAlerts(HttpRequest request, ClaimsPrincipal user, [FromServices] JobVisibility visibility, [FromServices] IAlertOperations alerts, CancellationToken ct)
    {
        var (skip, take) = ListQuery.Paging(request);
        var state = ListQuery.Choice<AlertState>(request, "state");
        var scope = await visibility.ScopeAsync(user, ct);
        return TypedResults.Ok(await visibility.ListAlertsAsync(scope, alerts, state, ListQuery.Flag(request, "includeResolved"), skip, take, ct));
    }

    /// <summary>A page of the job's alerts as its portal page shows them, open ones first; 404 for a job the user may not see.</summary>
    private static async Task<IResult> ListJobAlerts(string id, HttpRequest request, ClaimsPrincipal user, [FromServices] JobVisibility visibility, [FromServices] IAlertOperations alerts, CancellationToken ct)
    {
        var (skip, take) = ListQuery.Paging(request);
        await visibility.RequireJobAsync(user, id, ct);
        return TypedResults.Ok(await alerts.ListJobAlertsAsync(id, skip, take, ct));
    }

    private static async Task<IResult> GetAlert(string id, ClaimsPrincipal user, [FromServices] JobVisibility visibility, [FromServices] IAlertOperations alerts, CancellationToken ct) =>
        TypedResults.Ok(await visibility.RequireVisibleAsync(await visibility.ScopeAsync(user, ct), await alerts.GetAlertAsync(id, ct), id, ct));

    private static async Task<IResult> Acknowledge(string id, HttpRequest request, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] JobVisibility visibility, [FromServices] IAlertOperations alerts, [FromServices] IOptions<JsonOptions> json, CancellationToken ct)
    {
        var body = await JsonRequestBody.ReadAsync(request, json.Value.SerializerOptions, whenEmpty: new AcknowledgeRequest(), ct);
        await visibility.RequireVisibleAsync(await visibility.ScopeAsync(user, ct), await alerts.GetAlertAsync(id, ct), id, ct);
        var alert = await alerts.AcknowledgeAsync(id, user.Identity!.Name!, body.Comment, ct);
        await audit.RecordAsync(user, AuditActions.AlertAcknowledged, id);
        return TypedResults.Ok(alert);
    }

    private static async Task<IResult> ListSilences(HttpRequest request, ClaimsPrincipal user, [FromServices] SilenceScope silences, [FromServices] IAlertOperations alerts, CancellationToken ct) =>
        TypedResults.Ok(await silences.ListAsync(user, alerts, ListQuery.Flag(request, "includeExpired"), ct));

    private static async Task<IResult> CreateSilence(HttpRequest request, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] SilenceScope silences, [FromServices] IAlertOperations alerts, [FromServices] IOptions<JsonOptions> json, CancellationToken ct)
    {
        var body = await JsonRequestBody.ReadAsync<SilenceRequest>(request, json.Value.SerializerOptions, whenEmpty: null, ct);
        var wanted = body.ToNewSilence();
        await silences.RequireMayCreateAsync(user, wanted, ct);
        var silence = await alerts.CreateSilenceAsync(wanted, user.Identity!.Name!, ct);
        await audit.RecordAsync(user, AuditActions.SilenceCreated, $"{silence.Id} until {silence.EndsAt:u}: {silence.Reason}");
        return TypedResults.Created($"{request.PathBase}{request.Path}/{silence.Id}", silence);
    }

    private static async Task<IResult> ExpireSilence(string id, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] SilenceScope silences, [FromServices] IAlertOperations alerts, CancellationToken ct)
    {
        await silences.RequireMayExpireAsync(user, alerts, id, ct);
        var silence = await alerts.ExpireSilenceAsync(id, user.Identity!.Name!, ct);
        await audit.RecordAsync(user, AuditActions.SilenceExpired, id);
        return TypedResults.Ok(silence);
    }
}
