using Microsoft.AspNetCore.Http;
using Caas.Web.Portal.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Caas.Web.Portal.Api;

/// <summary>
/// Turns a refused operation into an RFC 7807 problem with its reason, and any other failure into a 500
/// problem that points to the server log without leaking internals.
/// </summary>
internal sealed class RejectionProblemFilter(ILogger<RejectionProblemFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (OperationRejectedException e)
        {
            // A refusal for want of a project is audited like one for want of a role.
            if (e.Kind == RejectionKind.Forbidden)
                await context.HttpContext.RequestServices.GetRequiredService<AuditLog>().RecordAsync(context.HttpContext.User, AuditActions.AccessDenied,
                    $"{context.HttpContext.Request.Method} {context.HttpContext.Request.Path}", AuditOutcome.Refused, e.Message);
            return ForRejection(e);
        }
        catch (Exception e) when (!context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            logger.LogError(e, "API request {Method} {Path} failed", context.HttpContext.Request.Method, context.HttpContext.Request.Path);
            return TypedResults.Problem(
                detail: $"The platform could not complete the request; the server log has the cause (trace id {context.HttpContext.TraceIdentifier}).",
                statusCode: StatusCodes.Status500InternalServerError,
                title: "Internal error");
        }
    }

    public static IResult ForRejection(OperationRejectedException e)
    {
        var (status, title) = e.Kind switch
        {
            RejectionKind.NotFound => (StatusCodes.Status404NotFound, "Not found"),
            RejectionKind.Conflict => (StatusCodes.Status409Conflict, "Conflict"),
            RejectionKind.Forbidden => (StatusCodes.Status403Forbidden, "Forbidden"),
            _ => (StatusCodes.Status400BadRequest, "Invalid request"),
        };
        return TypedResults.Problem(detail: e.Message, statusCode: status, title: title);
    }
}
