using Microsoft.Data.Sqlite;

namespace Caas.Monitoring.EventStore;

/// <summary>
/// Appends one event to a stream whose version the store remembers (<see cref="StreamVersionCache"/>) with two
/// prepared statements, reused for every append: is the event id stored in the stream, insert at the next version.
/// Another writer of the same file can only have moved the stream past the cached version, which the unique
/// (stream, version) constraint catches; whatever this path cannot settle is left to the exact one.
/// </summary>
internal sealed class SqliteCachedAppend : IDisposable
{
    private const int SqliteConstraint = 19;

    private readonly SqliteCommand _lookup;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _lookupStream, _lookupId;
    private readonly SqliteParameter _stream, _version, _id, _type, _data, _at;

    public SqliteCachedAppend(SqliteConnection writer)
    {
        _lookup = writer.CreateCommand();
        _lookup.CommandText = "SELECT 1 FROM events WHERE stream = $stream AND event_id = $id;";
        _lookupStream = _lookup.Parameters.Add("$stream", SqliteType.Text);
        _lookupId = _lookup.Parameters.Add("$id", SqliteType.Text);

        _insert = writer.CreateCommand();
        _insert.CommandText = """
            INSERT INTO events (stream, version, event_id, type, data, recorded_at)
            VALUES ($stream, $version, $id, $type, $data, $at) RETURNING position;
            """;
        _stream = _insert.Parameters.Add("$stream", SqliteType.Text);
        _version = _insert.Parameters.Add("$version", SqliteType.Integer);
        _id = _insert.Parameters.Add("$id", SqliteType.Text);
        _type = _insert.Parameters.Add("$type", SqliteType.Text);
        _data = _insert.Parameters.Add("$data", SqliteType.Text);
        _at = _insert.Parameters.Add("$at", SqliteType.Integer);
    }

    /// <summary>
    /// Appends when the stream is where the cache says and the event id is new to it; otherwise changes nothing and
    /// returns false (the insert is one statement, so a refused one leaves the transaction as it was).
    /// </summary>
    public bool TryAppend(SqliteTransaction transaction, StreamVersionCache versions, string stream, long expectedVersion, EventData e, long atUnixMilliseconds, out AppendResult result)
    {
        result = default;
        if (!versions.TryGet(stream, out var current) || (expectedVersion != ExpectedVersion.Any && expectedVersion != current))
            return false;

        var id = e.EventId.ToString("D");
        _lookup.Transaction = transaction;
        _lookupStream.Value = stream;
        _lookupId.Value = id;
        if (_lookup.ExecuteScalar() is not null)
            return false;

        _insert.Transaction = transaction;
        _stream.Value = stream;
        _version.Value = current + 1;
        _id.Value = id;
        _type.Value = e.Type;
        _data.Value = e.Data;
        _at.Value = atUnixMilliseconds;
        long position;
        try
        {
            position = (long)_insert.ExecuteScalar()!;
        }
        catch (SqliteException error) when (error.SqliteErrorCode == SqliteConstraint)
        {
            versions.Forget(stream);
            return false;
        }
        versions.Set(stream, current + 1);
        result = new AppendResult(current + 1, position);
        return true;
    }

    public void Dispose()
    {
        _lookup.Dispose();
        _insert.Dispose();
    }
}
