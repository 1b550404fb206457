using Caas.Capture.Agent;
using Caas.Monitoring.Cluster;
using Caas.Web.Standalone.Health;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains;
using Caas.Monitoring.Grains.Alerts;
using Caas.Monitoring.Grains.AgentAuth;
using Caas.Recovery.Sagas;
using Caas.Web.Portal;
using MassTransit;

namespace Caas.Web.Standalone;

/// <summary>
/// Puts the areas together: with their embedded defaults (SQLite, localhost clustering, in-memory bus, an embedded
/// agent) or, in Cluster mode, on PostgreSQL and RabbitMQ with the agents as processes of their own, and the silo a
/// member of an Orleans cluster whose membership lives in the same PostgreSQL, so several hosts share the grains.
/// </summary>
public static class StandaloneComposition
{
    public static WebApplicationBuilder AddCaasStandalone(this WebApplicationBuilder builder, StandaloneSettings settings)
    {
        builder.WebHost.UseUrls(settings.Url);
        // Serve the portal library's CSS and scripts from the build output, not only after a publish.
        builder.WebHost.UseStaticWebAssets();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Only read when the host embeds an agent.
            ["Caas:Agent:DataDirectory"] = builder.Configuration["Caas:Agent:DataDirectory"] ?? Path.Combine(settings.DataDirectory, "agent"),
            // Users and tokens live in the platform's own database, in tables of their own.
            ["Caas:Security:DatabasePath"] = builder.Configuration["Caas:Security:DatabasePath"] ?? settings.DatabasePath,
            // Agents must present credentials; a cluster's agents are started without them until its scripts enroll
            // them (docs/operations.md), so there it is on only when configured.
            [$"{AgentCredentialOptions.SectionName}:Required"] = builder.Configuration[$"{AgentCredentialOptions.SectionName}:Required"]
                ?? (settings.Mode == PlatformMode.Cluster ? "false" : "true"),
        });

        builder.UseOrleans(silo =>
        {
            if (settings.Mode == PlatformMode.Cluster)
                silo.UseCaasPostgresCluster(settings.ClusterPostgres!, settings.ClusterId, serviceId: "caas")
                    .ConfigureEndpoints(settings.AdvertisedAddress ?? System.Net.IPAddress.Loopback, settings.SiloPort, settings.GatewayPort);
            else
                silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort);
            silo.AddCaasMonitoringGrains();
        });

        builder.Services.AddSingleton(TimeProvider.System);
        if (settings.Mode == PlatformMode.Cluster)
            builder.Services.AddCaasPostgresEventStore(settings.ClusterPostgres!);
        else
            builder.Services.AddCaasSqliteEventStore(settings.DatabasePath);
        builder.Services.AddCaasMonitoring();
        // Saga state and its durable timeouts live beside the events: the platform's SQLite file, or the cluster's PostgreSQL.
        var recovery = settings.Mode == PlatformMode.Cluster
            ? RecoveryPersistence.Postgres(settings.ClusterPostgres!)
            : RecoveryPersistence.Sqlite(settings.DatabasePath);
        // The webhook outbox is SQLite in the data directory, in cluster mode too (docs/alerts.md: not yet PostgreSQL).
        builder.Services.AddCaasAlertWebhooks(settings.DatabasePath);
        builder.Services.AddCaasRecoveryQueries(recovery);
        if (settings.EmbeddedAgent)
        {
            builder.Services.AddCaasAgent(builder.Configuration);
            builder.Services.AddHostedService<LocalAgentEnrollment>();
        }
        builder.Services.AddMassTransit(bus =>
        {
            bus.ConfigureHealthCheckOptions(options => options.Tags.Add(HealthEndpoints.ReadyTag));
            bus.AddCaasMonitoringConsumers();
            bus.AddCaasRecovery(recovery);
            if (settings.EmbeddedAgent)
                bus.AddCaasAgentConsumers(settings.NodeId);
            if (settings.Broker is { } broker)
                bus.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(broker.Host, (ushort)broker.Port, broker.VirtualHost, host =>
                    {
                        host.Username(broker.Username);
                        host.Password(broker.Password);
                    });
                    UseAgentCredentials(cfg, context, settings);
                    cfg.ConfigureEndpoints(context);
                });
            else
                bus.UsingInMemory((context, cfg) =>
                {
                    UseAgentCredentials(cfg, context, settings);
                    cfg.ConfigureEndpoints(context);
                });
        });
        builder.Services.AddCaasPortal();
        builder.Services.AddCaasHealthChecks();
        return builder;
    }

    /// <summary>Agents' reports are checked for credentials on every endpoint; the embedded agent signs its own.</summary>
    private static void UseAgentCredentials(IBusFactoryConfigurator cfg, IBusRegistrationContext context, StandaloneSettings settings)
    {
        cfg.UseCaasAgentCredentialCheck(context);
        if (settings.EmbeddedAgent)
            cfg.UseCaasAgentCredential(context);
    }

    public static WebApplication UseCaasStandalone(this WebApplication app)
    {
        app.MapCaasPortal();
        app.MapCaasHealth();
        return app;
    }
}
