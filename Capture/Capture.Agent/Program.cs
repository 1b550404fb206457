using Caas.Capture.Agent;
using Caas.Contracts.Bus;
using Caas.Contracts.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The node agent alone, for the cluster deployment: commands and reports over RabbitMQ. Its node identity
// (Caas:Agent:NodeId, Pool, JobSlots, Cores, MemoryBytes, Labels) and the broker's URL (Caas:Bus:RabbitMq:Url,
// credentials included; Caas__Bus__RabbitMq__Url in the environment) are checked before anything starts.
var builder = Host.CreateApplicationBuilder(args);
var agent = builder.Configuration.GetSection(AgentOptions.Section).Get<AgentOptions>() ?? new AgentOptions();
var (broker, brokerProblem) = RabbitMqAddress.Parse(builder.Configuration[RabbitMqAddress.ConfigurationKey]);
var (metricsPort, metricsProblem) = MetricsEndpoint.Parse(builder.Configuration[MetricsEndpoint.ConfigurationKey]);
var problems = agent.Problems().Concat(brokerProblem is null ? [] : [brokerProblem]).Concat(metricsProblem is null ? [] : [metricsProblem]).ToArray();
if (problems.Length > 0)
{
    Console.Error.WriteLine("caas-agent: the configuration is invalid:");
    foreach (var problem in problems)
        Console.Error.WriteLine($"  {problem}");
    return 2;
}

builder.Services.AddCaasAgent(builder.Configuration);
// Loopback of the agent's own network namespace only: a scraper beside it (a sidecar) reads it, nobody else.
if (metricsPort is { } port)
    builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("caas-agent", serviceInstanceId: agent.NodeId)).WithMetrics(metrics => metrics
        .AddMeter(MetricsEndpoint.MeterPattern)
        .AddPrometheusHttpListener(listener =>
        {
            listener.Host = "127.0.0.1";
            listener.Port = port;
        }));
builder.Services.AddMassTransit(bus =>
{
    // MassTransit 8.4+ reports usage to its vendor on start unless told not to: no traffic leaves the platform.
    bus.DisableUsageTelemetry();
    bus.AddCaasAgentConsumers(agent.NodeId);
    bus.UsingRabbitMq((context, cfg) =>
    {
        cfg.Host(broker!.Host, (ushort)broker.Port, broker.VirtualHost, host =>
        {
            host.Username(broker.Username);
            host.Password(broker.Password);
        });
        cfg.UseCaasAgentCredential(context);
        cfg.ConfigureEndpoints(context);
    });
});
Console.WriteLine($"caas-agent: node {agent.NodeId} in pool {agent.Pool}, bus {broker}" +
    (string.IsNullOrWhiteSpace(agent.Credential) ? "; no credential (Caas:Agent:Credential): a platform that requires one refuses this agent's reports" : ""));
await builder.Build().RunAsync();
return 0;
