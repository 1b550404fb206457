using Caas.Web.Portal.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Caas.Web.Portal.Api;

/// <summary>The audit trail, for admins: newest first, paged, filtered by user and action (a name, or a prefix ending in '.').</summary>
internal static class AuditApi
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/audit", List)
            .RequireAuthorization(CaasPolicies.Administer)
            .Produces<Page<AuditRecord>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

    private static async Task<IResult> List(HttpRequest request, [FromServices] IAuditTrail trail, CancellationToken ct)
    {
        var (skip, take) = ListQuery.Paging(request);
        var user = request.Query["user"].ToString();
        var action = request.Query["action"].ToString();
        var filter = new AuditFilter { User = user.Length > 0 ? user : null, Action = action.Length > 0 ? action : null };
        return TypedResults.Ok(await trail.ListAsync(filter, skip, take, ct));
    }
}
