using Caas.Capture.Agent;
using MassTransit;
using Microsoft.Extensions.Hosting;

// The node agent alone, for the cluster deployment: commands and reports over RabbitMQ.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddCaasAgent(builder.Configuration);
var nodeId = builder.Configuration[$"{AgentOptions.Section}:NodeId"] ?? new AgentOptions().NodeId;
var rabbit = builder.Configuration.GetSection("Caas:Bus:RabbitMq");
builder.Services.AddMassTransit(bus =>
{
    bus.AddCaasAgentConsumers(nodeId);
    bus.UsingRabbitMq((context, cfg) =>
    {
        cfg.Host(rabbit["Host"] ?? "localhost", "/", host =>
        {
            host.Username(rabbit["Username"] ?? "guest");
            host.Password(rabbit["Password"] ?? "guest");
        });
        cfg.ConfigureEndpoints(context);
    });
});
builder.Build().Run();
