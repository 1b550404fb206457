using System.Security.Claims;
using Caas.Web.Portal.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Caas.Web.Portal.Api;

/// <summary>Draining and undraining nodes, for operators: a drained node takes no new jobs, its running ones keep running.</summary>
internal static class NodesApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/nodes/{id}/drain", Drain)
            .RequireAuthorization(CaasPolicies.Operate)
            .Produces<NodeStatus>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/nodes/{id}/undrain", Undrain)
            .RequireAuthorization(CaasPolicies.Operate)
            .Produces<NodeStatus>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/agents", ListAgents)
            .RequireAuthorization(CaasPolicies.Administer)
            .Produces<IReadOnlyList<AgentEnrollment>>();
        api.MapPost("/nodes/{id}/enroll", Enroll)
            .RequireAuthorization(CaasPolicies.Administer)
            .Produces<EnrolledAgent>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapDelete("/nodes/{id}/credential", Revoke)
            .RequireAuthorization(CaasPolicies.Administer)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAgents([FromServices] ISecurityStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.ListAgentsAsync(ct));

    /// <summary>Creates (or replaces) the node's credential and returns it once; the agent runs with it as Caas:Agent:Credential.</summary>
    private static async Task<IResult> Enroll(string id, HttpRequest request, ClaimsPrincipal user, [FromServices] ISecurityStore store, [FromServices] AuditLog audit, CancellationToken ct)
    {
        var (enrollment, secret) = await store.EnrollAgentAsync(id, ct);
        await audit.RecordAsync(user, AuditActions.NodeEnrolled, enrollment.NodeId);
        return TypedResults.Created($"{request.PathBase}/api/v1/agents", new EnrolledAgent(enrollment.NodeId, enrollment.EnrolledAt, secret));
    }

    private static async Task<IResult> Revoke(string id, ClaimsPrincipal user, [FromServices] ISecurityStore store, [FromServices] AuditLog audit, CancellationToken ct)
    {
        await store.RevokeAgentAsync(id, ct);
        await audit.RecordAsync(user, AuditActions.NodeCredentialRevoked, id);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> Drain(string id, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] INodeOperations nodes, CancellationToken ct)
    {
        var node = await nodes.DrainAsync(id, ct);
        await audit.RecordAsync(user, AuditActions.NodeDrained, node.NodeId);
        return TypedResults.Ok(node);
    }

    private static async Task<IResult> Undrain(string id, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] INodeOperations nodes, CancellationToken ct)
    {
        var node = await nodes.UndrainAsync(id, ct);
        await audit.RecordAsync(user, AuditActions.NodeUndrained, node.NodeId);
        return TypedResults.Ok(node);
    }
}
