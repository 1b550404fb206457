using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Caas.Web.Portal.Api;

/// <summary>
/// Describes a JSON request body in the OpenAPI document only. <c>Accepts&lt;T&gt;</c> would also make routing
/// refuse requests without a JSON content type, but the API reads bodies itself so that any client (curl -d
/// included) gets the same clear problem for bad input.
/// </summary>
internal static class JsonBodyDocumentation
{
    public static RouteHandlerBuilder WithJsonBody<T>(this RouteHandlerBuilder endpoint, bool required) =>
        endpoint.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = required,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });
}
