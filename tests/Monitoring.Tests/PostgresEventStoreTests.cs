using Caas.Monitoring.EventStore;
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

        Assert.Equal([1], versions);
    }

    [Fact]
    public async Task Opening_a_schema_from_a_newer_build_is_refused_with_a_clear_message()
    {
        await _schema.ExecuteAsync("INSERT INTO schema_version (version) VALUES (2);");

        var refused = Assert.Throws<InvalidOperationException>(() => new PostgresEventStore(_schema.ConnectionString));

        Assert.Equal(
            $"The event store in schema '{_schema.Name}' of database 'caas_test' has schema version 2; this build understands up to 1. Use a newer build.",
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
    public void A_bad_connection_string_is_refused_before_anything_is_registered()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();

        Assert.Throws<ArgumentException>(() => services.AddCaasPostgresEventStore("Hots=nowhere;Bogus=1"));
        Assert.Throws<ArgumentException>(() => services.AddCaasPostgresEventStore(" "));
        Assert.Empty(services);
    }
}
