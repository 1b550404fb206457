using Caas.Capture.Agent;
using Caas.Monitoring.Cluster;
using Caas.Web.Standalone.Health;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains;
using Caas.Monitoring.Grains.Alerts;
using Caas.Monitoring.Grains.AgentAuth;
using Caas.Monitoring.Grains.Audit;
using Caas.Contracts.Services;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Caas.Recovery.Sagas;
using Caas.Web.Portal;
using Caas.Contracts.Telemetry;
using Caas.Contracts.Bus;
using MassTransit;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

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
        builder.WebHost.UseUrls(settings.MetricsPort is { } metricsPort ? [settings.Url, $"http://127.0.0.1:{metricsPort}"] : [settings.Url]);
        if (settings.MetricsPort is not null)
            builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(settings.ServiceName)).WithMetrics(metrics => metrics.AddMeter(MetricsEndpoint.MeterPattern).AddPrometheusExporter());
        // Serve the portal library's CSS and scripts from the build output, not only after a publish.
        builder.WebHost.UseStaticWebAssets();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Only read when the host embeds an agent.
            ["Caas:Agent:DataDirectory"] = builder.Configuration["Caas:Agent:DataDirectory"] ?? Path.Combine(settings.DataDirectory, "agent"),
            // Users and tokens live in the platform's own database, in tables of their own.
            ["Caas:Security:DatabasePath"] = builder.Configuration["Caas:Security:DatabasePath"] ?? settings.DatabasePath,
        });

        if (settings.RunsSilo)
            builder.UseOrleans(silo =>
            {
                if (settings.Mode == PlatformMode.Cluster)
                    silo.UseCaasPostgresCluster(settings.ClusterPostgres!, settings.ClusterId, serviceId: "caas")
                        .ConfigureEndpoints(settings.AdvertisedAddress ?? System.Net.IPAddress.Loopback, settings.SiloPort, settings.GatewayPort);
                else
                    silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort);
                silo.AddCaasMonitoringGrains();
            });
        else
            // A web host without a silo of its own reaches the grains through the silos' gateways, found in the
            // membership table; it waits for the first silo instead of failing when it starts before them.
            builder.UseOrleansClient(client => client
                .UseCaasPostgresCluster(settings.ClusterPostgres!, settings.ClusterId, serviceId: "caas")
                .UseConnectionRetryFilter(WaitForSilosAsync));

        builder.Services.AddSingleton(TimeProvider.System);
        if (settings.Mode == PlatformMode.Cluster)
        {
            builder.Services.AddCaasPostgresEventStore(settings.ClusterPostgres!);
            // Users, tokens and agent credentials beside the events, so every web host honours the same tokens and
            // every silo checks agents' credentials itself; refusals go to the audit trail in the event store.
            builder.Services.AddCaasPostgresSecurityStore(settings.ClusterPostgres!);
            builder.Services.TryAddSingleton<IAuditTrail, EventStoreAuditTrail>();
            // Bound here too, since a silo-only host runs no AddCaasMonitoring. Required unless set to false, in every
            // mode: agents are enrolled first, then started with their credential (docs/operations.md).
            builder.Services.AddOptions<AgentCredentialOptions>().BindConfiguration(AgentCredentialOptions.SectionName);
        }
        else
            builder.Services.AddCaasSqliteEventStore(settings.DatabasePath);
        // Saga state and its durable timeouts live beside the events: the platform's SQLite file, or the cluster's PostgreSQL.
        var recovery = settings.Mode == PlatformMode.Cluster
            ? RecoveryPersistence.Postgres(settings.ClusterPostgres!)
            : RecoveryPersistence.Sqlite(settings.DatabasePath);
        if (settings.RunsWeb)
        {
            // Read models, alerting and the operations the portal calls: once per web host, not per silo, so two
            // silos and one web host evaluate and notify each alert once.
            builder.Services.AddCaasMonitoring();
            // The webhook outbox is SQLite in the data directory, in cluster mode too (docs/alerts.md: not yet PostgreSQL).
            builder.Services.AddCaasAlertWebhooks(settings.DatabasePath);
            builder.Services.AddCaasRecoveryQueries(recovery);
        }
        if (settings.EmbeddedAgent)
        {
            builder.Services.AddCaasAgent(builder.Configuration);
            // The local agent's credential is issued by the web host's own security store.
            if (settings.RunsWeb)
                builder.Services.AddHostedService<LocalAgentEnrollment>();
        }
        // A web host alone sends nothing on the bus (its commands go to grains), so it has no bus to lose.
        if (settings.RunsSilo || settings.EmbeddedAgent)
            builder.Services.AddMassTransit(bus =>
            {
                bus.DisableUsageTelemetry();
                bus.ConfigureHealthCheckOptions(options => options.Tags.Add(HealthEndpoints.ReadyTag));
                if (settings.RunsSilo)
                {
                    bus.AddCaasMonitoringConsumers();
                    bus.AddCaasRecovery(recovery);
                    // The ranks of distributed jobs are driven from beside the silo (docs/capture.md, "Distributed jobs").
                    bus.AddConsumer<Distributed.DistributedJobRunner>().Endpoint(e => e.Name = DistributedJobAddress.QueueName);
                }
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
        if (settings.RunsWeb)
            builder.Services.AddCaasPortal();
        builder.Services.AddCaasHealthChecks();
        return builder;
    }

    /// <summary>
    /// Agents' reports are checked for credentials on every silo that can read the enrollments: the standalone host's
    /// own store, or any cluster silo (the store is in PostgreSQL); the embedded agent signs its own.
    /// </summary>
    private static void UseAgentCredentials(IBusFactoryConfigurator cfg, IBusRegistrationContext context, StandaloneSettings settings)
    {
        if (settings.RunsSilo && (settings.RunsWeb || settings.Mode == PlatformMode.Cluster))
            cfg.UseCaasAgentCredentialCheck(context);
        if (settings.EmbeddedAgent && settings.RunsWeb)
            cfg.UseCaasAgentCredential(context);
    }

    public static WebApplication UseCaasStandalone(this WebApplication app, StandaloneSettings settings)
    {
        // Before the portal's authentication: the scrape answers only on the loopback listener of its own, never on Caas:Url.
        if (settings.MetricsPort is { } metricsPort)
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
                context.Connection.LocalPort == metricsPort && context.Request.Path == MetricsEndpoint.Path);
        if (settings.RunsWeb)
            app.MapCaasPortal();
        app.MapCaasHealth();
        return app;
    }

    private static async Task<bool> WaitForSilosAsync(Exception error, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"caas: no silo answers yet ({error.GetType().Name}); trying again in 2 s");
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        return true;
    }
}
