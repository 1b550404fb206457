using System.Security.Claims;
using Caas.Web.Portal.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Caas.Web.Portal.Api;

/// <summary>
/// GET /jobs/{id}/logs: a job's stdout or stderr as its agent captured it (<see cref="IJobOutput"/>), for viewers of the
/// job's project (404 for anyone else, as for every job route). ?stream=stdout|stderr, ?tail=N lines (default 100), or
/// ?from=OFFSET to follow from a previous answer's end; ?maxBytes caps one answer.
/// </summary>
internal static class JobOutputApi
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/jobs/{id}/logs", GetLogs)
            .Produces<JobOutput>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<IResult> GetLogs(string id, HttpRequest request, ClaimsPrincipal user, [FromServices] JobVisibility visibility, [FromServices] IJobOutput output, CancellationToken ct)
    {
        var query = new JobOutputQuery
        {
            Stream = ListQuery.Choice<JobOutputStream>(request, "stream") ?? JobOutputStream.Stdout,
            From = ListQuery.LongInteger(request, "from"),
            TailLines = ListQuery.Integer(request, "tail", JobOutputQuery.DefaultTailLines),
            MaxBytes = ListQuery.Integer(request, "maxBytes", JobOutputQuery.DefaultMaxBytes),
        };
        query.Validate();
        await visibility.RequireJobAsync(user, id, ct);
        return TypedResults.Ok(await output.ReadAsync(id, query, ct));
    }
}
