using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Caas.Ingest.Benchmarks;

/// <summary>
/// The baseline: the same rows into the same table shape, WAL and synchronous setting as the SQLite event store,
/// by one prepared INSERT in large transactions, with no concurrency checks. SQLite's nearest thing to COPY.
/// </summary>
public static class RawBatchedInsert
{
    public const int RowsPerTransaction = 10_000;

    // The event store's events table and indexes (SqliteSchema, version 2), so both sides maintain the same indexes.
    private const string CreateTable = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        CREATE TABLE events (
            position    INTEGER PRIMARY KEY,
            stream      TEXT    NOT NULL,
            version     INTEGER NOT NULL,
            event_id    TEXT    NOT NULL,
            type        TEXT    NOT NULL,
            data        TEXT    NOT NULL,
            recorded_at INTEGER NOT NULL,
            UNIQUE (stream, version)
        );
        CREATE INDEX events_by_stream_and_event_id ON events (stream, event_id);
        """;

    public static IngestMeasurement Run(string databasePath, HeartbeatRows rows)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = CreateTable;
            create.ExecuteNonQuery();
        }

        var perJob = rows.EventsByJob[0].Length;
        var started = Stopwatch.GetTimestamp();
        var written = 0;
        // Interleaved as heartbeats arrive (every job's first, then every job's second...), not stream by stream.
        var order = Enumerable.Range(0, perJob).SelectMany(v => Enumerable.Range(0, rows.Streams.Count).Select(j => (j, v)));
        foreach (var chunk in order.Chunk(RowsPerTransaction))
        {
            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO events (stream, version, event_id, type, data, recorded_at) VALUES ($stream, $version, $id, $type, $data, $at);";
            var stream = insert.Parameters.Add("$stream", SqliteType.Text);
            var version = insert.Parameters.Add("$version", SqliteType.Integer);
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var type = insert.Parameters.Add("$type", SqliteType.Text);
            var data = insert.Parameters.Add("$data", SqliteType.Text);
            var at = insert.Parameters.Add("$at", SqliteType.Integer);
            insert.Prepare();
            foreach (var (j, v) in chunk)
            {
                var e = rows.EventsByJob[j][v];
                stream.Value = rows.Streams[j];
                version.Value = v;
                id.Value = e.EventId.ToString("D");
                type.Value = e.Type;
                data.Value = e.Data;
                at.Value = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
                insert.ExecuteNonQuery();
                written++;
            }
            transaction.Commit();
        }
        return new IngestMeasurement(written, Stopwatch.GetElapsedTime(started), []);
    }
}
