using Npgsql;

namespace Caas.Recovery.Tests;

/// <summary>
/// A schema of its own on the PostgreSQL server named by CAAS_TEST_POSTGRES, for one test, dropped
/// with every connection pool the test opened on it. Without the variable the test fails: these
/// tests prove the cluster's database, and a skipped proof proves nothing.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string Variable = "CAAS_TEST_POSTGRES";

    private readonly string _server;
    private readonly List<NpgsqlDataSource> _dataSources = [];

    private PostgresTestDatabase(string server, string schema)
    {
        _server = server;
        Schema = schema;
        // Few connections per pool: a test opens several stores, other engineers' tests share the server.
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema, MaxPoolSize = 4 }.ConnectionString;
    }

    public string Schema { get; }

    /// <summary>Puts this test's schema first on the search path, so recovery's tables land in it.</summary>
    public string ConnectionString { get; }

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
            throw new InvalidOperationException($"{Variable} is not set: these tests need a real PostgreSQL (`set -a; . /opt/caas/postgres.env; set +a`, or ./caas test).");
        var database = new PostgresTestDatabase(server, $"caas_recovery_{Guid.NewGuid():N}");
        await database.ExecuteOnServerAsync($"CREATE SCHEMA {database.Schema}");
        return database;
    }

    /// <summary>A pool of its own, as another process on the same database would have; disposed with the schema.</summary>
    public NpgsqlDataSource NewDataSource()
    {
        var dataSource = NpgsqlDataSource.Create(ConnectionString);
        lock (_dataSources)
            _dataSources.Add(dataSource);
        return dataSource;
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        List<NpgsqlDataSource> opened;
        lock (_dataSources)
            opened = [.. _dataSources];
        foreach (var dataSource in opened)
            await dataSource.DisposeAsync();
        await ExecuteOnServerAsync($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
    }

    private async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
