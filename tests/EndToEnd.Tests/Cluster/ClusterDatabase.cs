using Npgsql;

namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>A fresh PostgreSQL schema on the test server (CAAS_TEST_POSTGRES) for one cluster run, dropped on dispose.</summary>
public sealed class ClusterDatabase : IAsyncDisposable
{
    public const string Variable = "CAAS_TEST_POSTGRES";

    private readonly string _server;
    private readonly string _schema;

    private ClusterDatabase(string server, string schema)
    {
        _server = server;
        _schema = schema;
    }

    /// <summary>Connects with the run's schema first on the search path, so the event store's tables land in it.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder(_server) { SearchPath = _schema }.ConnectionString;

    /// <param name="server">The server's connection string; the test server (CAAS_TEST_POSTGRES) when null.</param>
    public static async Task<ClusterDatabase> CreateAsync(string runId, string? server = null)
    {
        server ??= Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
            throw new InvalidOperationException(
                $"{Variable} is not set. The cluster tests need a real PostgreSQL: run `sudo scripts/install-postgres.sh`, then "
                + "`set -a; . /opt/caas/postgres.env; set +a` (./caas test does both).");
        var database = new ClusterDatabase(server, $"caas_cl_{runId}_{Guid.NewGuid():N}");
        await database.ExecuteAsync($"CREATE SCHEMA {database._schema};");
        return database;
    }

    public async ValueTask DisposeAsync() => await ExecuteAsync($"DROP SCHEMA IF EXISTS {_schema} CASCADE;");

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
