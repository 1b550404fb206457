using Caas.Contracts.Bus;
using Caas.Recovery.Sagas;
using MassTransit;
using Microsoft.Extensions.Hosting;

namespace Caas.Recovery.Tests;

/// <summary>The standalone wiring: SQLite file, in-memory bus.</summary>
[Trait("Category", "Integration")]
public sealed class RecoveryRestart_Specs : RecoveryRestartConformance
{
    private readonly TempDatabase _database = new();

    protected override IHost BuildHost(MessageInbox<RestoreJob> agent, MessageInbox<RecoveryEnded> ended, RecoveryOptions? options = null) =>
        RecoveryTestHost.Build(RecoveryPersistence.Sqlite(_database.Path), Clock, agent, ended, options,
            x => x.UsingInMemory((context, bus) => bus.ConfigureEndpoints(context)));

    public override Task InitializeAsync() => Task.CompletedTask;

    public override Task DisposeAsync()
    {
        _database.Dispose();
        return Task.CompletedTask;
    }
}
