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
        Assert.Equal("1,2,3", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_store_that_remembers_a_stream_still_answers_exactly_after_another_writer_of_the_file_appended_to_it()
    {
        await using var other = new SqliteEventStore(_dir.File("events.db"));
        Assert.Equal(0, (await Store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("A0")])).NextExpectedVersion);
        Assert.Equal(1, (await Store.AppendAsync("job-a", 0, [Event("A1")])).NextExpectedVersion);
        var fromElsewhere = Event("B2");
        var elsewhere = await other.AppendAsync("job-a", 1, [fromElsewhere]);
        Assert.Equal(2, elsewhere.NextExpectedVersion);

        var stale = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendAsync("job-a", 1, [Event("stale")]));
        Assert.Equal(2, stale.ActualVersion);
        Assert.Equal(elsewhere, await Store.AppendAsync("job-a", 1, [fromElsewhere]));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync("job-a", 2, [fromElsewhere]));
        Assert.Equal(3, (await Store.AppendAsync("job-a", ExpectedVersion.Any, [Event("A3")])).NextExpectedVersion);
        Assert.Equal(4, (await other.AppendAsync("job-a", ExpectedVersion.Any, [Event("B4")])).NextExpectedVersion);
        Assert.Equal(5, (await Store.AppendAsync("job-a", ExpectedVersion.Any, [Event("A5")])).NextExpectedVersion);
        Assert.Equal(6, (await Store.AppendAsync("job-a", 5, [Event("A6")])).NextExpectedVersion);
        // Where this store believes the stream to be, but with an id stored long ago: refused, as without a cache.
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync("job-a", 6, [fromElsewhere]));

        var stream = await other.ReadStreamAsync("job-a", 0, 100);
        Assert.Equal(["A0", "A1", "B2", "A3", "B4", "A5", "A6"], stream.Select(e => e.Type));
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6], stream.Select(e => e.Version));
    }

    [Fact]
    public async Task A_file_from_a_newer_build_is_refused_with_a_clear_message()
    {
        await CloseAsync(Store);
        await using (var connection = new SqliteConnection($"Data Source={_dir.File("events.db")};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_version (version) VALUES (4);";
            await command.ExecuteNonQueryAsync();
        }

        var refused = Assert.Throws<InvalidOperationException>(() => new SqliteEventStore(_dir.File("events.db")));

        Assert.Equal($"The event store '{_dir.File("events.db")}' has schema version 4; this build understands up to 3. Use a newer build.", refused.Message);
    }
}
