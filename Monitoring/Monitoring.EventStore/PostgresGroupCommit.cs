using Npgsql;
using NpgsqlTypes;

namespace Caas.Monitoring.EventStore;

/// <summary>
/// Commits a group of appends in one transaction with set-based statements: lock the streams and look up the
/// events' ids (one round trip), decide each append here, insert every accepted event and move the streams'
/// versions (one round trip), commit. The rules are those of the append_events function.
/// </summary>
internal static class PostgresGroupCommit
{
    public const int Appended = 0, Repeated = 1, WrongVersion = 2, PartlyRepeated = 3;

    public readonly record struct Request(string Stream, long ExpectedVersion, EventData[] Events);

    /// <summary>Per request: its outcome, the stream version it reports, and the position of its last event (appended or repeated).</summary>
    public readonly record struct Outcome(int Kind, long Version, long Position);

    public static async Task<Outcome[]> ExecuteAsync(NpgsqlDataSource dataSource, IReadOnlyList<Request> requests, DateTimeOffset at)
    {
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);

        var streams = requests.Select(r => r.Stream).Distinct(StringComparer.Ordinal).ToArray();
        var eventStreams = requests.SelectMany(r => r.Events.Select(_ => r.Stream)).ToArray();
        var eventIds = requests.SelectMany(r => r.Events.Select(e => e.EventId)).ToArray();
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        var stored = new Dictionary<(string Stream, Guid Id), (long Version, long Position)>();

        await using (var read = new NpgsqlBatch(connection, transaction))
        {
            // Every writer locks streams in the same (C collation) order, so group commits in several processes cannot deadlock.
            read.BatchCommands.Add(Command("""
                INSERT INTO streams (stream, version) SELECT s, -1 FROM unnest($1::text[]) AS s ORDER BY s COLLATE "C"
                ON CONFLICT (stream) DO NOTHING RETURNING stream;
                """, Parameter(streams)));
            read.BatchCommands.Add(Command(
                """SELECT stream, version FROM streams WHERE stream = ANY ($1) ORDER BY stream COLLATE "C" FOR UPDATE;""",
                Parameter(streams)));
            read.BatchCommands.Add(Command("""
                SELECT e.stream, e.event_id, e.version, e.position
                  FROM events e JOIN unnest($1::text[], $2::uuid[]) AS u(stream, id) ON e.stream = u.stream AND e.event_id = u.id;
                """, Parameter(eventStreams), Parameter(eventIds)));
            // The insert returns its rows only so that each statement has a result set to step over.
            await using var reader = await read.ExecuteReaderAsync().ConfigureAwait(false);
            await reader.NextResultAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
                versions[reader.GetString(0)] = reader.GetInt64(1);
            await reader.NextResultAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
                stored[(reader.GetString(0), reader.GetGuid(1))] = (reader.GetInt64(2), reader.GetInt64(3));
        }

        // Decide in arrival order; events accepted earlier in this group count as stored for the ones after them.
        const long NotYetKnown = -1;
        var outcomes = new Outcome[requests.Count];
        var rows = new List<(string Stream, long Version, EventData Event)>();
        for (var i = 0; i < requests.Count; i++)
        {
            var (stream, expected, events) = requests[i];
            var current = versions[stream];
            var found = events.Select(e => stored.TryGetValue((stream, e.EventId), out var hit) ? hit : ((long Version, long Position)?)null).ToArray();
            var repeated = found.Count(f => f is not null);
            if (repeated == events.Length
                && found.Select((f, k) => f!.Value.Version - k).Distinct().Count() == 1
                && (expected == ExpectedVersion.Any || found[0]!.Value.Version == expected + 1))
            {
                outcomes[i] = new Outcome(Repeated, found[^1]!.Value.Version, found[^1]!.Value.Position);
                continue;
            }
            if (expected != ExpectedVersion.Any && expected != current)
            {
                outcomes[i] = new Outcome(WrongVersion, current, 0);
                continue;
            }
            if (repeated > 0)
            {
                outcomes[i] = new Outcome(PartlyRepeated, found.Where(f => f is not null).Min(f => f!.Value.Version), 0);
                continue;
            }
            foreach (var e in events)
            {
                rows.Add((stream, ++current, e));
                stored[(stream, e.EventId)] = (current, NotYetKnown);
            }
            versions[stream] = current;
            outcomes[i] = new Outcome(Appended, current, NotYetKnown);
        }

        if (rows.Count > 0)
        {
            var positions = new Dictionary<(string Stream, long Version), long>();
            await using (var write = new NpgsqlBatch(connection, transaction))
            {
                // Rows go in (and draw their positions) in the order decided above.
                write.BatchCommands.Add(Command("""
                    INSERT INTO events (stream, version, event_id, type, data, recorded_at)
                    SELECT u.stream, u.version, u.id, u.type, u.data, $6
                      FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[]) WITH ORDINALITY AS u(stream, version, id, type, data, i)
                     ORDER BY u.i
                    RETURNING stream, version, position;
                    """,
                    Parameter(rows.Select(r => r.Stream).ToArray()),
                    Parameter(rows.Select(r => r.Version).ToArray()),
                    Parameter(rows.Select(r => r.Event.EventId).ToArray()),
                    Parameter(rows.Select(r => r.Event.Type).ToArray()),
                    Parameter(rows.Select(r => r.Event.Data).ToArray()),
                    new NpgsqlParameter<DateTimeOffset> { TypedValue = at, NpgsqlDbType = NpgsqlDbType.TimestampTz }));
                var moved = versions.Where(v => rows.Any(r => r.Stream == v.Key)).ToArray();
                write.BatchCommands.Add(Command(
                    "UPDATE streams s SET version = u.version FROM unnest($1::text[], $2::bigint[]) AS u(stream, version) WHERE s.stream = u.stream;",
                    Parameter(moved.Select(m => m.Key).ToArray()), Parameter(moved.Select(m => m.Value).ToArray())));
                // Delivered at commit: wakes subscriptions in every process.
                write.BatchCommands.Add(Command("SELECT pg_notify('caas_events', '');"));
                await using var reader = await write.ExecuteReaderAsync().ConfigureAwait(false);
                while (await reader.ReadAsync().ConfigureAwait(false))
                    positions[(reader.GetString(0), reader.GetInt64(1))] = reader.GetInt64(2);
            }
            for (var i = 0; i < outcomes.Length; i++)
            {
                if (outcomes[i] is { Kind: Appended or Repeated, Position: NotYetKnown } outcome)
                    outcomes[i] = outcome with { Position = positions[(requests[i].Stream, outcome.Version)] };
            }
        }
        await transaction.CommitAsync().ConfigureAwait(false);
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
