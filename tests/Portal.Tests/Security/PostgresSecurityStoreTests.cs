using Caas.Monitoring.Tests;
using Caas.Web.Portal.Security;
using Npgsql;

namespace Caas.Portal.Tests.Security;

/// <summary>
/// The shared security store suite on a real PostgreSQL (CAAS_TEST_POSTGRES), each test in a fresh schema, every
/// <see cref="SecurityStoreConformanceTests.Open"/> a store with its own connection pool, as two hosts of a cluster have.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PostgresSecurityStoreTests : SecurityStoreConformanceTests
{
    private readonly List<PostgresSecurityStore> opened = [];
    private PostgresTestSchema schema = null!;

    public override async Task InitializeAsync() => schema = await PostgresTestSchema.CreateAsync();

    protected override ISecurityStore Open(SecurityOptions options, TimeProvider clock)
    {
        var store = new PostgresSecurityStore(schema.ConnectionString, options, clock);
        opened.Add(store);
        return store;
    }

    protected override async Task<string> StoredTextAsync()
    {
        await using var connection = await schema.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT concat_ws(E'\n',
                (SELECT string_agg(t::text, E'\n') FROM security_users t),
                (SELECT string_agg(t::text, E'\n') FROM security_api_tokens t),
                (SELECT string_agg(t::text, E'\n') FROM security_agent_credentials t),
                (SELECT string_agg(t::text, E'\n') FROM security_projects t),
                (SELECT string_agg(t::text, E'\n') FROM security_memberships t));
            """, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    public override async Task DisposeAsync()
    {
        foreach (var store in opened)
            await store.DisposeAsync();
        await schema.DisposeAsync();
    }

    [Fact]
    public async Task The_schema_records_its_version_once_however_many_hosts_start_together()
    {
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Open(new SecurityOptions(), Clock).CountUsersAsync()));

        await using var connection = await schema.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT array_agg(version ORDER BY version) FROM security_schema_version;", connection);
        var versions = (int[])(await command.ExecuteScalarAsync())!;
        Assert.Equal([1], versions);
        Assert.Equal(1, PostgresSecurityStore.CurrentVersion);
    }

    [Fact]
    public async Task A_schema_from_a_newer_build_is_refused_with_a_clear_message_and_left_alone()
    {
        await Open(new SecurityOptions(), Clock).CountUsersAsync();
        await schema.ExecuteAsync("INSERT INTO security_schema_version (version) VALUES (99);");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Open(new SecurityOptions(), Clock).CountUsersAsync());

        Assert.Contains($"schema '{schema.Name}'", refused.Message);
        Assert.Contains("has schema version 99; this build understands up to 1. Use a newer build.", refused.Message);
    }
}
