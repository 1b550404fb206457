using Caas.Recovery.SagaHost;
using Caas.Recovery.Sagas;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The recovery saga with its PostgreSQL store and durable scheduler on RabbitMQ, as a cluster host
// runs it, and nothing else: the kill -9 specs start it, SIGKILL it mid-incident and start it again.
var settings = SagaHostSettings.FromEnvironment();
var builder = Host.CreateApplicationBuilder(args);
var persistence = RecoveryPersistence.Postgres(settings.Postgres);
builder.Services.AddCaasRecoveryQueries(persistence);
// "ready" below must mean the queues are bound: a message published earlier would be dropped.
builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
builder.Services.AddMassTransit(bus =>
{
    // MassTransit 8.4+ reports usage to its vendor on start unless told not to: no traffic leaves the platform.
    bus.DisableUsageTelemetry();
    bus.AddCaasRecovery(persistence, settings.Options());
    bus.UsingRabbitMq((context, cfg) =>
    {
        cfg.Host(settings.RabbitMq, h =>
        {
            h.Username(settings.RabbitMqUser);
            h.Password(settings.RabbitMqPassword);
        });
        cfg.ConfigureEndpoints(context);
    });
});
using var host = builder.Build();
await host.StartAsync();
// The specs wait for this line before they publish.
Console.WriteLine("ready");
await host.WaitForShutdownAsync();
