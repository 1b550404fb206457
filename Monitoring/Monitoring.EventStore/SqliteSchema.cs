using Microsoft.Data.Sqlite;

namespace Caas.Monitoring.EventStore;

/// <summary>Creates the event store's tables in a SQLite file and records which schema version they follow.</summary>
internal static class SqliteSchema
{
    public const int CurrentVersion = 1;

    // position is the rowid: single-writer commits make it grow in commit order, so $all readers never see gaps fill in later.
    private const string CreateVersion1 = """
        CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
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
        """;

    public static void Create(SqliteConnection connection)
    {
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }
        using var transaction = connection.BeginTransaction();
        using (var create = connection.CreateCommand())
        {
            create.Transaction = transaction;
            create.CommandText = CreateVersion1;
            create.ExecuteNonQuery();
        }
        using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT MAX(version) FROM schema_version;";
            var stored = read.ExecuteScalar();
            if (stored is long version && version > CurrentVersion)
                throw new InvalidOperationException(
                    $"The event store '{connection.DataSource}' has schema version {version}; this build understands up to {CurrentVersion}. Use a newer build.");
            if (stored is not long)
            {
                using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO schema_version (version) VALUES ($v);";
                insert.Parameters.AddWithValue("$v", CurrentVersion);
                insert.ExecuteNonQuery();
            }
        }
        transaction.Commit();
    }
}
