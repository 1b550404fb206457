using System.Globalization;
using System.Net;
using Caas.Monitoring.Cluster;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

// A monitoring silo as a cluster runs it, and nothing else: member of an Orleans cluster through PostgreSQL, job
// streams in PostgreSQL, agent reports from RabbitMQ. The silo-kill chaos tests start two, SIGKILL one, and check
// that the other takes its jobs over without losing an acknowledged heartbeat. Settings come from the environment.
string Setting(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
    ? value : throw new InvalidOperationException($"{name} is not set");
var postgres = Setting("CAAS_SILOHOST_POSTGRES");
var rabbit = new Uri(Setting("CAAS_SILOHOST_RABBITMQ"));
var cluster = Setting("CAAS_SILOHOST_CLUSTER");
var siloPort = int.Parse(Setting("CAAS_SILOHOST_SILO_PORT"), CultureInfo.InvariantCulture);
var gatewayPort = int.Parse(Setting("CAAS_SILOHOST_GATEWAY_PORT"), CultureInfo.InvariantCulture);
var credentials = rabbit.UserInfo.Split(':', 2);

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleans(silo =>
{
    silo.UseCaasPostgresCluster(postgres, cluster, "caas-chaos")
        .ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort)
        .AddCaasMonitoringGrains();
    // A dead silo is declared so within seconds instead of the production minute, so the test stays short.
    silo.Configure<ClusterMembershipOptions>(options =>
    {
        options.ProbeTimeout = TimeSpan.FromSeconds(1);
        options.NumMissedProbesLimit = 2;
        options.NumVotesForDeathDeclaration = 1;
        options.TableRefreshTimeout = TimeSpan.FromSeconds(1);
    });
    silo.Configure<SiloMessagingOptions>(options => options.ResponseTimeout = TimeSpan.FromSeconds(5));
});
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddCaasPostgresEventStore(postgres);
builder.Services.AddCaasMonitoring();
builder.Services.Configure<MassTransitHostOptions>(options => options.WaitUntilStarted = true);
builder.Services.AddMassTransit(bus =>
{
    // MassTransit 8.4+ reports usage to its vendor on start unless told not to: no traffic leaves the platform.
    bus.DisableUsageTelemetry();
    bus.AddCaasMonitoringConsumers();
    bus.UsingRabbitMq((context, cfg) =>
    {
        cfg.Host(rabbit.Host, (ushort)rabbit.Port, Uri.UnescapeDataString(rabbit.AbsolutePath.TrimStart('/')), host =>
        {
            host.Username(Uri.UnescapeDataString(credentials[0]));
            host.Password(Uri.UnescapeDataString(credentials[1]));
        });
        cfg.ConfigureEndpoints(context);
    });
});
using var host = builder.Build();
await host.StartAsync();
// The tests wait for this line: the silo is in the cluster and its queues are bound.
Console.WriteLine("ready");
await host.WaitForShutdownAsync();
