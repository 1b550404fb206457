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
        command.CommandText = "SELECT group_concat(version, ',') FROM (SELECT version FROM schema_version ORDER BY version);";
        Assert.Equal("1,2", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_file_from_a_newer_build_is_refused_with_a_clear_message()
    {
        await CloseAsync(Store);
        await using (var connection = new SqliteConnection($"Data Source={_dir.File("events.db")};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_version (version) VALUES (3);";
            await command.ExecuteNonQueryAsync();
        }

        var refused = Assert.Throws<InvalidOperationException>(() => new SqliteEventStore(_dir.File("events.db")));

        Assert.Equal($"The event store '{_dir.File("events.db")}' has schema version 3; this build understands up to 2. Use a newer build.", refused.Message);
    }
}
