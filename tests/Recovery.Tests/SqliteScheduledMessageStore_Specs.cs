using Caas.Recovery.Sagas.Scheduling;

namespace Caas.Recovery.Tests;

[Trait("Category", "Integration")]
public sealed class SqliteScheduledMessageStore_Specs : ScheduledMessageStoreConformance
{
    private readonly TempDatabase _database = new();

    protected override IScheduledMessageStore NewStore() => new SqliteScheduledMessageStore(_database.Path);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Dispose();
    }
}
