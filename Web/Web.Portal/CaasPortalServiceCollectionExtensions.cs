using System.Text.Json.Serialization;
using Caas.Web.Portal;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class CaasPortalServiceCollectionExtensions
{
    /// <summary>
    /// Registers the portal (interactive server components) and the HTTP API's JSON and problem-details
    /// conventions. The host registers <see cref="IJobOperations"/> and <see cref="IJobQueries"/>.
    /// </summary>
    public static IServiceCollection AddCaasPortal(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddOpenApi();
        services.AddOptions<PortalOptions>().BindConfiguration(PortalOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
