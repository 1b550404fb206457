using Caas.Recovery.Sagas.Scheduling;

namespace Caas.Recovery.Tests;

[Trait("Category", "Integration")]
public sealed class PostgresScheduledMessageStore_Specs : ScheduledMessageStoreConformance
{
    private PostgresTestDatabase _database = null!;

    protected override IScheduledMessageStore NewStore() => new PostgresScheduledMessageStore(_database.NewDataSource());

    public override async Task InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
    }
}
