using Caas.Contracts.Bus;
using Caas.Recovery.Sagas;
using MassTransit;
using Microsoft.Extensions.Hosting;

namespace Caas.Recovery.Tests;

/// <summary>
/// The cluster's wiring: RabbitMQ (a vhost of its own, no delayed-message plugin), saga state and
/// timeouts in PostgreSQL (a schema of its own).
/// </summary>
[Trait("Category", "Integration")]
public sealed class RecoveryOverRabbitMq_Specs : RecoveryRestartConformance
{
    private PostgresTestDatabase _database = null!;
    private RabbitMqTestVhost _vhost = null!;

    protected override IHost BuildHost(MessageInbox<RestoreJob> agent, MessageInbox<RecoveryEnded> ended, RecoveryOptions? options = null) =>
        RecoveryTestHost.Build(RecoveryPersistence.Postgres(_database.ConnectionString), Clock, agent, ended, options,
            x => x.UsingRabbitMq((context, bus) =>
            {
                _vhost.Configure(bus);
                bus.ConfigureEndpoints(context);
            }));

    public override async Task InitializeAsync()
    {
        _database = await PostgresTestDatabase.CreateAsync();
        _vhost = await RabbitMqTestVhost.CreateAsync();
    }

    public override async Task DisposeAsync()
    {
        await _vhost.DisposeAsync();
        await _database.DisposeAsync();
    }
}
