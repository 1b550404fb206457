using Caas.Monitoring.EventStore;
using Microsoft.Data.Sqlite;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Integration")]
public sealed class SqliteEventStoreTests : EventStoreConformanceTests
{
    private readonly TempDirectory _dir = new();

    protected override Task<IEventStore> OpenAsync() => Task.FromResult<IEventStore>(new SqliteEventStore(_dir.File("events.db")));

    protected override async Task CloseAsync(IEventStore store) => await ((SqliteEventStore)store).DisposeAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task The_file_records_its_schema_version()
    {
        await Store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("A")]);

        await using var connection = new SqliteConnection($"Data Source={_dir.File("events.db")};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_version;";
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }
}
