using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Caas.Recovery.Sagas.Persistence;

/// <summary>How recovery's SQLite stores open the platform's database file and write times and ids into it.</summary>
internal sealed class SqliteDatabaseFile
{
    private readonly string _connectionString;

    /// <exception cref="ArgumentException">The path is empty.</exception>
    public SqliteDatabaseFile(string databasePath)
    {
        if (string.IsNullOrWhiteSpace(databasePath))
            throw new ArgumentException("The recovery database path must be a file path, not empty.", nameof(databasePath));
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(databasePath),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Microsoft.Data.Sqlite retries a busy database for this many seconds: the event store
            // writes to the same file.
            DefaultTimeout = 30,
        }.ToString();
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Fixed-width UTC text, so that times sort and compare in time order as text.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public static string Key(Guid id) => id.ToString("D");
}
