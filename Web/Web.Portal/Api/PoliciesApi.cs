using System.Security.Claims;
using Caas.Contracts.Policies;
using Caas.Web.Portal.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Caas.Web.Portal.Api;

/// <summary>
/// Recovery policies over <see cref="IRecoveryPolicies"/>: the configured defaults, a job's policy (read by viewers,
/// set by operators) and dry runs of a policy over a job's recorded history (which act on nothing, so viewers may run
/// them). A bad policy is a 400 validation problem whose errors are keyed by field ("policy.maxAttempts").
/// </summary>
internal static class PoliciesApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/policies", GetDefaults)
            .Produces<PolicyDefaults>();
        api.MapGet("/jobs/{id}/policy", GetForJob)
            .Produces<JobPolicyView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPut("/jobs/{id}/policy", SetForJob)
            .RequireAuthorization(CaasPolicies.Operate)
            .WithJsonBody<RecoveryPolicy>(required: true)
            .Produces<JobPolicyView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/jobs/{id}/policy/dry-run", DryRun)
            .WithJsonBody<RecoveryPolicy>(required: false)
            .Produces<PolicyDryRun>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> GetDefaults([FromServices] IRecoveryPolicies policies, CancellationToken ct) =>
        TypedResults.Ok(await policies.GetDefaultsAsync(ct));

    private static async Task<IResult> GetForJob(string id, ClaimsPrincipal user, [FromServices] JobVisibility visibility, [FromServices] IRecoveryPolicies policies, CancellationToken ct)
    {
        await visibility.RequireJobAsync(user, id, ct);
        return TypedResults.Ok(await policies.GetForJobAsync(id, ct));
    }

    private static async Task<IResult> SetForJob(string id, HttpRequest request, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] JobVisibility visibility, [FromServices] IRecoveryPolicies policies,
        [FromServices] IOptions<JsonOptions> json, CancellationToken ct)
    {
        await visibility.RequireJobAsync(user, id, ct);
        var policy = await JsonRequestBody.ReadAsync<RecoveryPolicy>(request, json.Value.SerializerOptions, whenEmpty: null, ct);
        if (Invalid(policy) is { } problem)
            return problem;
        var set = await policies.SetForJobAsync(id, policy, ct);
        await audit.RecordAsync(user, AuditActions.JobPolicySet, id);
        return TypedResults.Ok(set);
    }

    private static async Task<IResult> DryRun(string id, HttpRequest request, ClaimsPrincipal user, [FromServices] JobVisibility visibility, [FromServices] IRecoveryPolicies policies, [FromServices] IOptions<JsonOptions> json, CancellationToken ct)
    {
        await visibility.RequireJobAsync(user, id, ct);
        // No body: the policy the job is under now.
        var policy = await JsonRequestBody.ReadAsync<RecoveryPolicy>(request, json.Value.SerializerOptions, whenEmpty: NoBody, ct);
        if (ReferenceEquals(policy, NoBody))
            return TypedResults.Ok(await policies.DryRunAsync(id, null, ct));
        if (Invalid(policy) is { } problem)
            return problem;
        return TypedResults.Ok(await policies.DryRunAsync(id, policy, ct));
    }

    private static readonly RecoveryPolicy NoBody = new();

    private static IResult? Invalid(RecoveryPolicy policy)
    {
        var problems = RecoveryPolicyValidator.Validate(policy);
        if (problems.Count == 0)
            return null;
        return TypedResults.ValidationProblem(
            problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
            detail: "The policy is invalid: " + string.Join(" ", problems.Select(p => p + ".")),
            title: "Invalid policy");
    }
}
