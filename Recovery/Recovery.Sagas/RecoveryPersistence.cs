using Npgsql;

namespace Caas.Recovery.Sagas;

/// <summary>
/// Which database holds recovery's saga table and scheduled messages: the standalone platform's
/// SQLite file, or the cluster's PostgreSQL. Its text never shows a password.
/// </summary>
public sealed record RecoveryPersistence
{
    private RecoveryPersistence(RecoveryDatabase database, string location)
    {
        Database = database;
        Location = location;
    }

    public RecoveryDatabase Database { get; }

    /// <summary>The SQLite file's full path, or the PostgreSQL connection string.</summary>
    public string Location { get; }

    /// <param name="databasePath">The file; created when missing. May be the event store's file.</param>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    public static RecoveryPersistence Sqlite(string databasePath)
    {
        if (string.IsNullOrWhiteSpace(databasePath))
            throw new ArgumentException("Recovery needs the path of its SQLite database file.", nameof(databasePath));
        return new RecoveryPersistence(RecoveryDatabase.Sqlite, Path.GetFullPath(databasePath));
    }

    /// <param name="connectionString">An Npgsql connection string; tables go into the first schema of its search path.</param>
    /// <exception cref="ArgumentException">The connection string is empty, malformed or names no host.</exception>
    public static RecoveryPersistence Postgres(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ArgumentException("Recovery needs a PostgreSQL connection string.", nameof(connectionString));
        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            // The message of the parser may quote the string, password included.
            throw new ArgumentException("Recovery's PostgreSQL connection string is malformed.", nameof(connectionString));
        }
        if (string.IsNullOrWhiteSpace(parsed.Host))
            throw new ArgumentException("Recovery's PostgreSQL connection string names no Host.", nameof(connectionString));
        return new RecoveryPersistence(RecoveryDatabase.Postgres, connectionString);
    }

    public override string ToString()
    {
        if (Database == RecoveryDatabase.Sqlite)
            return $"SQLite {Location}";
        var parsed = new NpgsqlConnectionStringBuilder(Location);
        return $"PostgreSQL {parsed.Host}:{parsed.Port}/{parsed.Database} (search path {parsed.SearchPath ?? "default"})";
    }
}

public enum RecoveryDatabase
{
    Sqlite,
    Postgres,
}
