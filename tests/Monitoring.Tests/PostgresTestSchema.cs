using Npgsql;

namespace Caas.Monitoring.Tests;

/// <summary>
/// A fresh PostgreSQL schema for one test, on the server named by CAAS_TEST_POSTGRES (scripts/install-postgres.sh
/// sets one up; ./caas test exports it), dropped afterwards. Tests that need it fail, never skip, when it is missing.
/// </summary>
internal sealed class PostgresTestSchema : IAsyncDisposable
{
    public const string Variable = "CAAS_TEST_POSTGRES";

    private PostgresTestSchema(string serverConnectionString, string name)
    {
        ServerConnectionString = serverConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { SearchPath = name }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>Connects with this schema first on the search path, so the store's tables land in it.</summary>
    public string ConnectionString { get; }

    private string ServerConnectionString { get; }

    public static async Task<PostgresTestSchema> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
            throw new InvalidOperationException(
                $"{Variable} is not set. These tests need a real PostgreSQL: run `sudo scripts/install-postgres.sh`, then "
                + $"`set -a; . /opt/caas/postgres.env; set +a` (./caas test does both).");
        var schema = new PostgresTestSchema(server, $"caas_test_{Guid.NewGuid():N}");
        await schema.ExecuteAsync($"CREATE SCHEMA {schema.Name};");
        return schema;
    }

    /// <summary>Runs SQL on a connection of its own in this schema.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        // Unpooled: a pool per test schema would keep idle connections open long after the test, and the server has ~100.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Name} CASCADE;", connection);
        await command.ExecuteNonQueryAsync();
    }
}
