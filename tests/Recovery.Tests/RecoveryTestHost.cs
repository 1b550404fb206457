using Caas.Contracts.Bus;
using Caas.Contracts.Services;
using Caas.Recovery.Sagas;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Recovery.Tests;

/// <summary>
/// A platform host as a real one wires recovery (saga, saga store, durable scheduler and its dispatcher
/// in a generic host), with node-a's agent queue and monitoring's RecoveryEnded queue as inboxes.
/// </summary>
public static class RecoveryTestHost
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <param name="transport">The bus: in-memory as standalone, RabbitMQ as the cluster.</param>
    public static IHost Build(RecoveryPersistence persistence, FakeTimeProvider clock, MessageInbox<RestoreJob> agent, MessageInbox<RecoveryEnded> ended,
        RecoveryOptions? options, Action<IBusRegistrationConfigurator> transport)
    {
        // MassTransit keeps the first host's log context in an AsyncLocal that flows into the
        // second; once the first host is disposed its logger factory is too.
        LogContext.Current = null!;
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton(agent);
        builder.Services.AddSingleton(ended);
        builder.Services.AddCaasRecoveryQueries(persistence);
        // On RabbitMQ the queues are bound only once the bus has started: a message published before would be dropped.
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        builder.Services.AddMassTransit(x =>
        {
            x.AddCaasRecovery(persistence, options);
            x.AddConsumer<InboxConsumer<RestoreJob>>().Endpoint(e => e.Name = AgentAddress.QueueName("node-a"));
            x.AddConsumer<InboxConsumer<RecoveryEnded>>().Endpoint(e => e.Name = "monitoring-recovery-ended");
            transport(x);
        });
        return builder.Build();
    }

    public static async Task UntilStateAsync(this IHost host, Guid incidentId, string state)
    {
        var incidents = host.Services.GetRequiredService<IRecoveryIncidents>();
        var giveUpAt = DateTime.UtcNow + Patience;
        while ((await incidents.GetAsync(incidentId))?.State != state)
        {
            if (DateTime.UtcNow > giveUpAt)
                throw new TimeoutException($"Incident {incidentId} did not reach {state} within {Patience}.");
            await Task.Delay(20);
        }
    }
}
