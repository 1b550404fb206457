using Caas.Recovery.Sagas.Persistence;
using Npgsql;

namespace Caas.Recovery.Sagas.Scheduling;

/// <summary>
/// Scheduled messages in the cluster's PostgreSQL database. Dispatchers in several hosts claim due
/// rows with FOR UPDATE SKIP LOCKED under a lease, so each message is claimed by one of them at a time
/// and none waits on another's locks.
/// </summary>
public sealed class PostgresScheduledMessageStore : IScheduledMessageStore
{
    public const string Table = "scheduled_messages";

    private const string Columns = "token_id, destination, due_at, message_types, content_type, body";
    private const string Pending = "sent_at IS NULL AND cancelled_at IS NULL";

    private static readonly string[] Migrations =
    [
        // 1: one row per scheduling token; the partial index serves the dispatchers' claim.
        $"""
        CREATE TABLE {Table} (
            token_id      uuid        NOT NULL PRIMARY KEY,
            destination   text        NOT NULL,
            due_at        timestamptz NOT NULL,
            message_types text[]      NOT NULL,
            content_type  text        NOT NULL,
            body          text        NOT NULL,
            attempts      integer     NOT NULL,
            claimed_by    text,
            claimed_until timestamptz,
            sent_at       timestamptz,
            cancelled_at  timestamptz,
            last_error    text
        );
        CREATE INDEX ix_{Table}_pending ON {Table} (due_at) WHERE {Pending};
        """,
    ];

    private readonly NpgsqlDataSource _dataSource;
    private readonly SchemaOnce _schema;

    /// <param name="dataSource">The platform database; the table lands in the first schema of its search path.</param>
    public PostgresScheduledMessageStore(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _schema = new SchemaOnce(() => PostgresMigrations.ApplyAsync(_dataSource, Table, Migrations, "", CancellationToken.None));
    }

    public string Backend => "postgresql";

    public async Task ScheduleAsync(ScheduledEnvelope message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await ExecuteAsync($"""
            INSERT INTO {Table} ({Columns}, attempts)
            VALUES ($1, $2, $3, $4, $5, $6, 0)
            ON CONFLICT (token_id) DO UPDATE SET
                destination = excluded.destination, due_at = excluded.due_at, message_types = excluded.message_types,
                content_type = excluded.content_type, body = excluded.body, attempts = 0, claimed_by = NULL,
                claimed_until = NULL, sent_at = NULL, cancelled_at = NULL, last_error = NULL
            """, cancellationToken,
            Uuid(message.TokenId), Text(message.Destination.ToString()), Time(message.DueAt),
            new NpgsqlParameter<string[]> { TypedValue = message.MessageTypes.ToArray() }, Text(message.ContentType), Text(message.Body)).ConfigureAwait(false);
    }

    public async Task<bool> CancelAsync(Guid tokenId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        await ExecuteAsync($"UPDATE {Table} SET cancelled_at = $2 WHERE token_id = $1 AND {Pending}", cancellationToken,
            Uuid(tokenId), Time(at)).ConfigureAwait(false) == 1;

    public async Task<IReadOnlyList<ScheduledEnvelope>> ClaimDueAsync(string dispatcher, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken = default)
    {
        await _schema.EnsureAsync().ConfigureAwait(false);
        // SKIP LOCKED: a row another dispatcher is claiming right now is left to it, not waited for; once its claim
        // commits, claimed_until keeps everybody else off the row until the lease ends.
        await using var command = _dataSource.CreateCommand($"""
            WITH due AS (
                SELECT token_id FROM {Table}
                 WHERE {Pending} AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
                 ORDER BY due_at, token_id
                 LIMIT $4
                   FOR UPDATE SKIP LOCKED)
            UPDATE {Table} m
               SET claimed_by = $2, claimed_until = $3, attempts = m.attempts + 1
              FROM due
             WHERE m.token_id = due.token_id
            RETURNING m.token_id, m.destination, m.due_at, m.message_types, m.content_type, m.body
            """);
        command.Parameters.Add(Time(now));
        command.Parameters.Add(Text(dispatcher));
        command.Parameters.Add(Time(now + lease));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
        var claimed = new List<ScheduledEnvelope>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            claimed.Add(new ScheduledEnvelope(reader.GetGuid(0), new Uri(reader.GetString(1)), reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetFieldValue<string[]>(3), reader.GetString(4), reader.GetString(5)));
        }
        // RETURNING comes in no particular order.
        return claimed.OrderBy(m => m.DueAt).ThenBy(m => m.TokenId).ToList();
    }

    public Task MarkSentAsync(Guid tokenId, string dispatcher, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        ExecuteAsync($"UPDATE {Table} SET sent_at = $3, last_error = NULL WHERE token_id = $1 AND claimed_by = $2 AND {Pending}",
            cancellationToken, Uuid(tokenId), Text(dispatcher), Time(at));

    public Task RetryLaterAsync(Guid tokenId, string dispatcher, DateTimeOffset retryAt, string error, CancellationToken cancellationToken = default) =>
        ExecuteAsync($"UPDATE {Table} SET claimed_until = $3, last_error = $4 WHERE token_id = $1 AND claimed_by = $2 AND {Pending}",
            cancellationToken, Uuid(tokenId), Text(dispatcher), Time(retryAt), Text(error));

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken = default)
    {
        await _schema.EnsureAsync().ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT min(greatest(due_at, claimed_until)) FROM {Table} WHERE {Pending}");
        var next = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return next is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
    }

    public async Task<ScheduledMessageStatus?> GetStatusAsync(Guid tokenId, CancellationToken cancellationToken = default)
    {
        await _schema.EnsureAsync().ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(
            $"SELECT due_at, attempts, claimed_by, sent_at, cancelled_at, last_error FROM {Table} WHERE token_id = $1");
        command.Parameters.Add(Uuid(tokenId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;
        return new ScheduledMessageStatus(tokenId, reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt32(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
            reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
            reader.IsDBNull(5) ? null : reader.GetString(5));
    }

    public Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default) =>
        ExecuteAsync($"DELETE FROM {Table} WHERE coalesce(sent_at, cancelled_at) < $1", cancellationToken, Time(before));

    private async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await _schema.EnsureAsync().ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlParameter Uuid(Guid id) => new NpgsqlParameter<Guid> { TypedValue = id };

    private static NpgsqlParameter Text(string value) => new NpgsqlParameter<string> { TypedValue = value };

    private static NpgsqlParameter Time(DateTimeOffset at) => new NpgsqlParameter<DateTimeOffset> { TypedValue = at.ToUniversalTime() };
}
