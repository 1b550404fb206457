using System.Diagnostics;
using Caas.Monitoring.EventStore;
using Npgsql;
using NpgsqlTypes;

namespace Caas.Ingest.Benchmarks;

/// <summary>
/// The PostgreSQL event store, each run in its own throw-away schema of the given database, against a binary
/// COPY of the same rows into a table shaped like the store's events table. Every schema it made is dropped.
/// </summary>
public sealed class PostgresIngestBackend(string connectionString) : IIngestBackend
{
    public const int RowsPerCopy = 10_000;

    private readonly string _prefix = $"caas_bench_{Environment.ProcessId}_";
    private readonly List<string> _schemas = [];

    public string Name => "postgres";

    public string Description =>
        $"PostgreSQL event store (group commit, append_events per append) vs binary COPY of {RowsPerCopy} rows per statement";

    public async Task<IEventStore> CreateStoreAsync(string run) =>
        new PostgresEventStore(await CreateSchemaAsync($"store_{run}"));

    public async Task<IngestMeasurement> RunBaselineAsync(string run, HeartbeatRows rows)
    {
        await using var connection = new NpgsqlConnection(await CreateSchemaAsync($"copy_{run}"));
        await connection.OpenAsync();
        // The store's events table (PostgresSchema, migration 1): same columns, keys and unique constraints.
        await using (var create = new NpgsqlCommand("""
            CREATE TABLE events (
                position    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                stream      text        NOT NULL,
                version     bigint      NOT NULL,
                event_id    uuid        NOT NULL,
                type        text        NOT NULL,
                data        text        NOT NULL,
                recorded_at timestamptz NOT NULL,
                UNIQUE (stream, version),
                UNIQUE (stream, event_id)
            );
            """, connection))
            await create.ExecuteNonQueryAsync();

        var perJob = rows.EventsByJob[0].Length;
        var order = Enumerable.Range(0, perJob).SelectMany(v => Enumerable.Range(0, rows.Streams.Count).Select(j => (j, v)));
        var started = Stopwatch.GetTimestamp();
        var written = 0;
        foreach (var chunk in order.Chunk(RowsPerCopy))
        {
            await using var copy = await connection.BeginBinaryImportAsync(
                "COPY events (stream, version, event_id, type, data, recorded_at) FROM STDIN (FORMAT BINARY)");
            foreach (var (j, v) in chunk)
            {
                var e = rows.EventsByJob[j][v];
                await copy.StartRowAsync();
                await copy.WriteAsync(rows.Streams[j], NpgsqlDbType.Text);
                await copy.WriteAsync((long)v, NpgsqlDbType.Bigint);
                await copy.WriteAsync(e.EventId, NpgsqlDbType.Uuid);
                await copy.WriteAsync(e.Type, NpgsqlDbType.Text);
                await copy.WriteAsync(e.Data, NpgsqlDbType.Text);
                await copy.WriteAsync(TimeProvider.System.GetUtcNow(), NpgsqlDbType.TimestampTz);
                written++;
            }
            await copy.CompleteAsync();
        }
        return new IngestMeasurement(written, Stopwatch.GetElapsedTime(started), []);
    }

    public async ValueTask DisposeAsync()
    {
        if (_schemas.Count == 0) return;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var schema in _schemas)
        {
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <returns>The connection string with the new schema first on its search path.</returns>
    private async Task<string> CreateSchemaAsync(string suffix)
    {
        var schema = _prefix + suffix;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await create.ExecuteNonQueryAsync();
        }
        _schemas.Add(schema);
        return new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema }.ConnectionString;
    }
}
