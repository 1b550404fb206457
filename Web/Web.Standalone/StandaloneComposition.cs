using Caas.Capture.Agent;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains;
using Caas.Recovery.Sagas;
using Caas.Web.Portal;
using MassTransit;

namespace Caas.Web.Standalone;

/// <summary>Puts the areas together with their embedded defaults: SQLite, localhost clustering, in-memory bus.</summary>
public static class StandaloneComposition
{
    public static WebApplicationBuilder AddCaasStandalone(this WebApplicationBuilder builder, StandaloneSettings settings)
    {
        builder.WebHost.UseUrls(settings.Url);
        // Serve the portal library's CSS and scripts from the build output, not only after a publish.
        builder.WebHost.UseStaticWebAssets();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Caas:Agent:DataDirectory"] = builder.Configuration["Caas:Agent:DataDirectory"] ?? Path.Combine(settings.DataDirectory, "agent"),
            // Users and tokens live in the platform's own database, in tables of their own.
            ["Caas:Security:DatabasePath"] = builder.Configuration["Caas:Security:DatabasePath"] ?? settings.DatabasePath,
        });

        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort);
            silo.AddCaasMonitoringGrains();
        });

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddCaasSqliteEventStore(settings.DatabasePath);
        builder.Services.AddCaasMonitoring();
        // Saga state and its durable timeouts live in the platform's SQLite file.
        var recovery = RecoveryPersistence.Sqlite(settings.DatabasePath);
        builder.Services.AddCaasRecoveryQueries(recovery);
        builder.Services.AddCaasAgent(builder.Configuration);
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddCaasMonitoringConsumers();
            bus.AddCaasRecovery(recovery);
            bus.AddCaasAgentConsumers(settings.NodeId);
            bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
        });
        builder.Services.AddCaasPortal();
        return builder;
    }

    public static WebApplication UseCaasStandalone(this WebApplication app)
    {
        app.MapCaasPortal();
        return app;
    }
}
