using Caas.Monitoring.EventStore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Caas.Monitoring.Tests;

/// <summary>The shared conformance suite on a real PostgreSQL, each test in a fresh schema; plus what only this backend promises.</summary>
[Trait("Category", "Integration")]
public sealed class PostgresEventStoreTests : EventStoreConformanceTests
{
    private PostgresTestSchema _schema = null!;

    protected override async Task<IEventStore> OpenAsync()
    {
        _schema ??= await PostgresTestSchema.CreateAsync();
        return new PostgresEventStore(_schema.ConnectionString);
    }

    protected override async Task CloseAsync(IEventStore store) => await ((PostgresEventStore)store).DisposeAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _schema.DisposeAsync();
    }

    [Fact]
    public async Task The_schema_records_its_version()
    {
        await using var connection = await _schema.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT array_agg(version ORDER BY version) FROM schema_version;", connection);

        var versions = (int[])(await command.ExecuteScalarAsync())!;

        Assert.Equal([1, 2, 3, 4], versions);
    }

    [Fact]
    public async Task A_store_of_schema_version_2_is_migrated_to_move_stream_versions_in_place_and_compress_checkpoints_faster()
    {
        await Store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("A0")]);
        await _schema.ExecuteAsync("""
            ALTER TABLE streams RESET (fillfactor);
            ALTER TABLE projection_checkpoints ALTER COLUMN state SET COMPRESSION pglz;
            DELETE FROM schema_version WHERE version > 2;
            """);

        await ReopenAsync();

        await using var connection = await _schema.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT reloptions FROM pg_class WHERE oid = 'streams'::regclass),
                   (SELECT attcompression::text FROM pg_attribute WHERE attrelid = 'projection_checkpoints'::regclass AND attname = 'state'),
                   (SELECT array_agg(version ORDER BY version) FROM schema_version);
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(["fillfactor=20"], reader.GetFieldValue<string[]>(0));
        // "l": lz4, which the test servers are built with.
        Assert.Equal("l", reader.GetString(1));
        Assert.Equal([1, 2, 3, 4], reader.GetFieldValue<int[]>(2));
        await reader.DisposeAsync();
        Assert.Equal(new AppendResult(1, 2), await Store.AppendAsync("job-a", 0, [Event("A1")]));
    }

    [Fact]
    public async Task Opening_a_schema_from_a_newer_build_is_refused_with_a_clear_message()
    {
        await _schema.ExecuteAsync("INSERT INTO schema_version (version) VALUES (5);");

        var refused = Assert.Throws<InvalidOperationException>(() => new PostgresEventStore(_schema.ConnectionString));

        Assert.Equal(
            $"The event store in schema '{_schema.Name}' of database 'caas_test' has schema version 5; this build understands up to 4. Use a newer build.",
            refused.Message);
    }

    [Fact]
    public async Task A_new_store_on_the_same_database_sees_everything_and_carries_on()
    {
        await Store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("A0"), Event("A1")]);
        await Store.AppendAsync("job-b", ExpectedVersion.NoStream, [Event("B0")]);
        await Store.SaveSnapshotAsync(new StreamSnapshot("job-a", 1, "JobState", "{\"v\":1}"));

        await ReopenAsync();

        Assert.Equal(["A0", "A1", "B0"], (await Store.ReadAllAsync(0, 100)).Select(e => e.Type));
        Assert.Equal(["A0", "A1"], (await Store.ReadStreamAsync("job-a", 0, 100)).Select(e => e.Type));
        Assert.Equal(new StreamSnapshot("job-a", 1, "JobState", "{\"v\":1}"), await Store.ReadSnapshotAsync("job-a"));
        Assert.Equal(3, await Store.ReadHeadPositionAsync());
        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendAsync("job-a", 0, [Event("stale")]));
        Assert.Equal(new AppendResult(2, 4), await Store.AppendAsync("job-a", 1, [Event("A2")]));
    }

    [Fact]
    public async Task Two_stores_on_one_database_racing_for_one_stream_let_exactly_one_append_win()
    {
        await using var other = new PostgresEventStore(_schema.ConnectionString);
        var stores = new[] { Store, other };

        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try { await stores[i % 2].AppendAsync("job-a", ExpectedVersion.NoStream, [Event($"W{i}")]); return true; }
            catch (WrongExpectedVersionException) { return false; }
        })));

        Assert.Single(attempts, won => won);
        Assert.Single(await other.ReadStreamAsync("job-a", 0, 100));
    }

    [Fact]
    public async Task A_store_that_remembers_a_stream_still_answers_exactly_after_another_store_appended_to_it()
    {
        await using var other = new PostgresEventStore(_schema.ConnectionString);
        Assert.Equal(new AppendResult(0, 1), await Store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("A0")]));
        Assert.Equal(new AppendResult(1, 2), await Store.AppendAsync("job-a", 0, [Event("A1")]));
        var fromElsewhere = Event("B2");
        Assert.Equal(new AppendResult(2, 3), await other.AppendAsync("job-a", 1, [fromElsewhere]));

        var stale = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendAsync("job-a", 1, [Event("stale")]));
        Assert.Equal(2, stale.ActualVersion);
        // A retry of the other store's append, here: found stored, not appended again.
        Assert.Equal(new AppendResult(2, 3), await Store.AppendAsync("job-a", 1, [fromElsewhere]));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync("job-a", 2, [fromElsewhere]));
        Assert.Equal(new AppendResult(3, 4), await Store.AppendAsync("job-a", ExpectedVersion.Any, [Event("A3")]));
        Assert.Equal(new AppendResult(4, 5), await other.AppendAsync("job-a", ExpectedVersion.Any, [Event("B4")]));
        Assert.Equal(new AppendResult(5, 6), await Store.AppendAsync("job-a", ExpectedVersion.Any, [Event("A5")]));
        Assert.Equal(new AppendResult(6, 7), await Store.AppendAsync("job-a", 5, [Event("A6")]));
        // Where this store believes the stream to be, but with an id stored long ago: refused, as without a cache.
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync("job-a", 6, [fromElsewhere]));

        Assert.Equal(["A0", "A1", "B2", "A3", "B4", "A5", "A6"], (await other.ReadStreamAsync("job-a", 0, 100)).Select(e => e.Type));
    }

    [Fact]
    public async Task A_subscription_on_another_store_hears_of_each_append_at_once_rather_than_at_its_next_poll()
    {
        // Its poll is an hour away: an append it hears of at all, it heard of through the notification.
        await using var otherProcess = new PostgresEventStore(_schema.ConnectionString) { SubscriptionPollInterval = TimeSpan.FromHours(1) };
        var heard = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        using var stop = new CancellationTokenSource();
        var subscription = otherProcess.SubscribeToAllAsync(0, (e, _) =>
        {
            heard[e.Type] = true;
            return ValueTask.CompletedTask;
        }, stop.Token);
        await Task.Delay(TimeSpan.FromMilliseconds(300));

        for (var i = 0; i < 8; i++)
        {
            await Store.AppendAsync($"job-{i}", ExpectedVersion.NoStream, [Event($"E{i}")]);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!heard.ContainsKey($"E{i}") && DateTime.UtcNow < deadline)
                await Task.Delay(5);
            Assert.True(heard.ContainsKey($"E{i}"), $"append {i} was not heard of within 30 s, although the subscription was caught up and listening");
            await Task.Delay(Random.Shared.Next(100, 400));
        }
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => subscription);
    }

    [Fact]
    public async Task Concurrent_appends_share_transactions()
    {
        const int appends = 200;
        await Task.WhenAll(Enumerable.Range(0, appends).Select(i => Task.Run(() => Store.AppendAsync($"job-{i}", ExpectedVersion.NoStream, [Event("Heartbeat")]))));

        // Rows inserted by one transaction share its id (xmin): fewer ids than appends means appends were grouped.
        await using var connection = await _schema.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*), count(DISTINCT xmin::text) FROM events;", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (events, transactions) = (reader.GetInt64(0), reader.GetInt64(1));

        Assert.Equal(appends, events);
        Assert.True(transactions <= appends / 4, $"{appends} concurrent appends took {transactions} transactions");
    }

    [Fact]
    public async Task The_registered_store_is_a_working_postgres_store_with_the_serializer()
    {
        var services = new ServiceCollection();
        services.AddCaasPostgresEventStore(_schema.ConnectionString);
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IEventStore>();
        await store.AppendAsync("job-di", ExpectedVersion.NoStream, [Event("A")]);

        Assert.IsType<PostgresEventStore>(store);
        Assert.NotNull(provider.GetService(typeof(EventSerializer)));
        Assert.Equal(["A"], (await Store.ReadStreamAsync("job-di", 0, 10)).Select(e => e.Type));
    }

    [Fact]
    public async Task Readers_get_what_this_store_wrote_from_memory_and_what_others_wrote_from_the_database_alike()
    {
        await using var otherProcess = new PostgresEventStore(_schema.ConnectionString);
        var written = new { Seen = "by this store's readers as written" };
        await Store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("A0", "{\"n\":0}")]);
        // The second append to a stream this store knows is the short path's, whose events it keeps for its readers.
        await Store.AppendAsync("job-a", 0, [Event("A1", "{\"n\":1}") with { Original = written }]);
        await otherProcess.AppendAsync("job-b", ExpectedVersion.NoStream, [Event("B0", "{\"n\":2}")]);
        var writtenThere = new { Seen = "by the other store's readers as written" };
        await otherProcess.AppendAsync("job-b", 0, [Event("B1", "{\"n\":3}") with { Original = writtenThere }]);

        var here = await Store.ReadAllAsync(0, 100);
        var there = await otherProcess.ReadAllAsync(0, 100);
        var passedOver = new List<RecordedEvent>();
        using var stop = new CancellationTokenSource();
        var subscription = Store.SubscribeToAllAsync(0, new HashSet<string> { "A1", "B1" }, (e, _) =>
        {
            passedOver.Add(e);
            if (passedOver.Count == 4)
                stop.Cancel();
            return ValueTask.CompletedTask;
        }, stop.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => subscription.WaitAsync(TimeSpan.FromSeconds(30)));

        string[] data = ["{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}"];
        Assert.Equal(data, here.Select(e => e.Data));
        Assert.Equal(data, there.Select(e => e.Data));
        Assert.Equal(new object?[] { null, written, null, null }, here.Select(e => e.Original));
        Assert.Equal(new object?[] { null, null, null, writtenThere }, there.Select(e => e.Original));
        Assert.Equal(here.Select(e => (e.Stream, e.Version, e.Position, e.EventId, e.Type)), there.Select(e => (e.Stream, e.Version, e.Position, e.EventId, e.Type)));
        Assert.Equal(["{\"n\":0}", "", "{\"n\":2}", ""], passedOver.Select(e => e.Data));
        Assert.All(passedOver, e => Assert.Null(e.Original));
    }

    [Fact]
    public void A_bad_connection_string_is_refused_before_anything_is_registered()
    {
        var services = new ServiceCollection();

        Assert.Throws<ArgumentException>(() => services.AddCaasPostgresEventStore("Hots=nowhere;Bogus=1"));
        Assert.Throws<ArgumentException>(() => services.AddCaasPostgresEventStore(" "));
        Assert.Empty(services);
    }
}
