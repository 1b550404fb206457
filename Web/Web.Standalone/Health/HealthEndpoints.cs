using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Caas.Web.Standalone.Health;

/// <summary>
/// /health/live (the process serves HTTP: restart it when this fails) and /health/ready (event store, silo and bus
/// work: send it traffic). Anonymous, for load balancers and orchestrators, and they answer only
/// "Healthy"/"Degraded"/"Unhealthy", with 503 when not healthy; the reasons go to the log.
/// </summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddCaasHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<EventStoreHealthCheck>("event-store", tags: [ReadyTag])
            .AddCheck<SiloHealthCheck>("silo", tags: [ReadyTag]);
        return services;
    }

    public static WebApplication MapCaasHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        // The composition tags MassTransit's bus check "ready" too, so a bus that lost its broker makes the host unready.
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        return app;
    }
}
