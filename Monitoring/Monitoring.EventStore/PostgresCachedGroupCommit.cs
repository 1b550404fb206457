using Npgsql;
using NpgsqlTypes;

namespace Caas.Monitoring.EventStore;

/// <summary>
/// Commits a group of appends whose streams' versions this store already knows (<see cref="StreamVersionCache"/>)
/// in one round trip and a commit: move each stream's version only where it still is what the cache says (which
/// locks the stream's row), insert the events. Anything the cache cannot vouch for (another process appended, an event id is stored already)
/// shows as a version that did not move or a unique violation; the whole group is then rolled back and the caller
/// takes the exact path (<see cref="PostgresGroupCommit"/>), which gives the append rules' answers.
/// </summary>
internal static class PostgresCachedGroupCommit
{
    private const string UniqueViolation = "23505", DeadlockDetected = "40P01";

    /// <param name="requests">Appends to known streams, each placed right after the version the one before left.</param>
    /// <param name="streams">Per stream: the version the cache holds and the version after the group.</param>
    /// <param name="committedEvents">Told every event with its position once the group is committed.</param>
    /// <returns>Per request its outcome (all appended), or null when the cache was wrong and nothing was committed.</returns>
    public static async Task<PostgresGroupCommit.Outcome[]?> TryExecuteAsync(
        NpgsqlDataSource dataSource,
        IReadOnlyList<PostgresGroupCommit.Request> requests,
        IReadOnlyDictionary<string, (long From, long To)> streams,
        DateTimeOffset at,
        CommittedEventCache committedEvents)
    {
        var rowCount = requests.Sum(r => r.Events.Length);
        var rowStreams = new string[rowCount];
        var rowVersions = new long[rowCount];
        var rowIds = new Guid[rowCount];
        var rowTypes = new string[rowCount];
        var rowData = new string[rowCount];
        var rowEvents = new EventData[rowCount];
        var lastVersions = new long[requests.Count];
        var next = streams.ToDictionary(s => s.Key, s => s.Value.From, StringComparer.Ordinal);
        var row = 0;
        for (var i = 0; i < requests.Count; i++)
        {
            var (stream, _, events) = requests[i];
            var version = next[stream];
            foreach (var e in events)
            {
                rowStreams[row] = stream;
                rowVersions[row] = ++version;
                rowIds[row] = e.EventId;
                rowTypes[row] = e.Type;
                rowData[row] = e.Data;
                rowEvents[row] = e;
                row++;
            }
            next[stream] = version;
            lastVersions[i] = version;
        }
        var streamNames = streams.Keys.ToArray();

        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        var positions = new Dictionary<(string Stream, long Version), long>(rowCount);
        try
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            // The update locks the rows in no set order. Only two processes writing the same streams at once (a grain
            // moving between silos) can then deadlock; PostgreSQL ends one of them, which here means the exact path.
            // Rows go in (and draw their positions) in arrival order, and only when every stream's version moved.
            batch.BatchCommands.Add(Command("""
                WITH moved AS (
                    UPDATE streams s SET version = m.to_version
                      FROM unnest($7::text[], $8::bigint[], $9::bigint[]) AS m(stream, from_version, to_version)
                     WHERE s.stream = m.stream AND s.version = m.from_version
                    RETURNING s.stream)
                INSERT INTO events (stream, version, event_id, type, data, recorded_at)
                SELECT u.stream, u.version, u.id, u.type, u.data, $6
                  FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[]) WITH ORDINALITY AS u(stream, version, id, type, data, i)
                 WHERE (SELECT count(*) FROM moved) = cardinality($7::text[])
                 ORDER BY u.i
                RETURNING stream, version, position;
                """,
                Parameter(rowStreams), Parameter(rowVersions), Parameter(rowIds), Parameter(rowTypes), Parameter(rowData),
                new NpgsqlParameter<DateTimeOffset> { TypedValue = at, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                Parameter(streamNames),
                Parameter(streamNames.Select(s => streams[s].From).ToArray()),
                Parameter(streamNames.Select(s => streams[s].To).ToArray())));
            // Delivered at commit: wakes subscriptions in every process.
            batch.BatchCommands.Add(Command("SELECT pg_notify('caas_events', '');"));

            await using var reader = await batch.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
                positions[(reader.GetString(0), reader.GetInt64(1))] = reader.GetInt64(2);
            // Nothing inserted: some stream was not where the cache said.
            if (positions.Count != rowCount)
                return null;
            await reader.NextResultAsync().ConfigureAwait(false);
        }
        catch (PostgresException error) when (error.SqlState is UniqueViolation or DeadlockDetected)
        {
            return null;
        }
        await transaction.CommitAsync().ConfigureAwait(false);

        var rows = new (long Position, EventData Event)[rowCount];
        for (var i = 0; i < rowCount; i++)
            rows[i] = (positions[(rowStreams[i], rowVersions[i])], rowEvents[i]);
        committedEvents.Add(rows);

        var outcomes = new PostgresGroupCommit.Outcome[requests.Count];
        for (var i = 0; i < requests.Count; i++)
            outcomes[i] = new PostgresGroupCommit.Outcome(PostgresGroupCommit.Appended, lastVersions[i], positions[(requests[i].Stream, lastVersions[i])]);
        return outcomes;
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Parameter<T>(T value) => new NpgsqlParameter<T> { TypedValue = value };
}
