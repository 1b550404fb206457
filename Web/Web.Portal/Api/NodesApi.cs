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
    }

    private static async Task<IResult> Drain(string id, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] INodeOperations nodes, CancellationToken ct)
    {
        var node = await nodes.DrainAsync(id, ct);
        audit.Record(user, "drained node", node.NodeId);
        return TypedResults.Ok(node);
    }

    private static async Task<IResult> Undrain(string id, ClaimsPrincipal user, [FromServices] AuditLog audit, [FromServices] INodeOperations nodes, CancellationToken ct)
    {
        var node = await nodes.UndrainAsync(id, ct);
        audit.Record(user, "undrained node", node.NodeId);
        return TypedResults.Ok(node);
    }
}
