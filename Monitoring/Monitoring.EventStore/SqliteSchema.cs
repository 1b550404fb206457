using Microsoft.Data.Sqlite;

namespace Caas.Monitoring.EventStore;

/// <summary>Creates and migrates the event store's tables in a SQLite file and records in <c>schema_version</c> which migrations it has applied.</summary>
internal static class SqliteSchema
{
    private static readonly string[] Migrations =
    [
        // 1: position is the rowid: single-writer commits make it grow in commit order, so $all readers never see gaps fill in later.
        """
        CREATE TABLE IF NOT EXISTS events (
            position    INTEGER PRIMARY KEY,
            stream      TEXT    NOT NULL,
            version     INTEGER NOT NULL,
            event_id    TEXT    NOT NULL,
            type        TEXT    NOT NULL,
            data        TEXT    NOT NULL,
            recorded_at INTEGER NOT NULL,
            UNIQUE (stream, version)
        );
        CREATE TABLE IF NOT EXISTS snapshots (
            stream  TEXT    PRIMARY KEY,
            version INTEGER NOT NULL,
            type    TEXT    NOT NULL,
            data    TEXT    NOT NULL
        );
        """,
        // 2: an append finds the events it repeats by id, wherever they are in the stream. Not unique: files written
        // before version 2 may hold an id twice, and must still open.
        """
        CREATE INDEX IF NOT EXISTS events_by_stream_and_event_id ON events (stream, event_id);
        """,
        // 3: each projection's folded state with the position of the last event in it, written together in one transaction.
        """
        CREATE TABLE IF NOT EXISTS projection_checkpoints (
            name       TEXT    PRIMARY KEY,
            position   INTEGER NOT NULL,
            state_type TEXT    NOT NULL,
            state      TEXT    NOT NULL,
            saved_at   INTEGER NOT NULL
        );
        """,
    ];

    public static int CurrentVersion => Migrations.Length;

    public static void Create(SqliteConnection connection)
    {
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);");
        long stored;
        using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";
            stored = (long)read.ExecuteScalar()!;
        }
        if (stored > CurrentVersion)
            throw new InvalidOperationException(
                $"The event store '{connection.DataSource}' has schema version {stored}; this build understands up to {CurrentVersion}. Use a newer build.");
        for (var version = stored + 1; version <= CurrentVersion; version++)
        {
            Execute(connection, transaction, Migrations[version - 1]);
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO schema_version (version) VALUES ($v);";
            insert.Parameters.AddWithValue("$v", version);
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
