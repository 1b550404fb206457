using System.Text.Json;
using Caas.Recovery.Sagas.Persistence;
using Microsoft.Data.Sqlite;

namespace Caas.Recovery.Sagas.Scheduling;

/// <summary>
/// Scheduled messages in the standalone platform's SQLite file. SQLite lets one writer in at a time,
/// and a claim is one UPDATE ... RETURNING statement, so two dispatchers on one file never claim the
/// same message.
/// </summary>
public sealed class SqliteScheduledMessageStore : IScheduledMessageStore
{
    public const string Table = "scheduled_messages";

    private const string Columns = "token_id, destination, due_at, message_types, content_type, body";
    private const string Pending = "sent_at IS NULL AND cancelled_at IS NULL";

    private readonly SqliteDatabaseFile _database;
    private readonly SchemaOnce _schema;

    /// <param name="databasePath">SQLite file; created when missing. May be the event store's file.</param>
    public SqliteScheduledMessageStore(string databasePath)
    {
        _database = new SqliteDatabaseFile(databasePath);
        _schema = new SchemaOnce(CreateSchemaAsync);
    }

    public string Backend => "sqlite";

    public async Task ScheduleAsync(ScheduledEnvelope message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await ExecuteAsync($"""
            INSERT INTO {Table} ({Columns}, attempts)
            VALUES ($token, $destination, $due, $types, $contentType, $body, 0)
            ON CONFLICT (token_id) DO UPDATE SET
                destination = excluded.destination, due_at = excluded.due_at, message_types = excluded.message_types,
                content_type = excluded.content_type, body = excluded.body, attempts = 0, claimed_by = NULL,
                claimed_until = NULL, sent_at = NULL, cancelled_at = NULL, last_error = NULL
            """, cancellationToken,
            ("$token", SqliteDatabaseFile.Key(message.TokenId)), ("$destination", message.Destination.ToString()),
            ("$due", SqliteDatabaseFile.Time(message.DueAt)), ("$types", JsonSerializer.Serialize(message.MessageTypes)),
            ("$contentType", message.ContentType), ("$body", message.Body)).ConfigureAwait(false);
    }

    public async Task<bool> CancelAsync(Guid tokenId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        await ExecuteAsync($"UPDATE {Table} SET cancelled_at = $at WHERE token_id = $token AND {Pending}", cancellationToken,
            ("$token", SqliteDatabaseFile.Key(tokenId)), ("$at", SqliteDatabaseFile.Time(at))).ConfigureAwait(false) == 1;

    public async Task<IReadOnlyList<ScheduledEnvelope>> ClaimDueAsync(string dispatcher, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken = default)
    {
        await _schema.EnsureAsync().ConfigureAwait(false);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            UPDATE {Table}
               SET claimed_by = $dispatcher, claimed_until = $until, attempts = attempts + 1
             WHERE token_id IN (SELECT token_id FROM {Table}
                                 WHERE {Pending} AND due_at <= $now AND (claimed_until IS NULL OR claimed_until <= $now)
                                 ORDER BY due_at, token_id
                                 LIMIT $max)
            RETURNING {Columns}
            """;
        command.Parameters.AddWithValue("$dispatcher", dispatcher);
        command.Parameters.AddWithValue("$now", SqliteDatabaseFile.Time(now));
        command.Parameters.AddWithValue("$until", SqliteDatabaseFile.Time(now + lease));
        command.Parameters.AddWithValue("$max", max);
        var claimed = new List<ScheduledEnvelope>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            claimed.Add(new ScheduledEnvelope(
                Guid.Parse(reader.GetString(0)), new Uri(reader.GetString(1)), SqliteDatabaseFile.ParseTime(reader.GetString(2)),
                JsonSerializer.Deserialize<string[]>(reader.GetString(3)) ?? [], reader.GetString(4), reader.GetString(5)));
        }
        // RETURNING comes in no particular order.
        return claimed.OrderBy(m => m.DueAt).ThenBy(m => m.TokenId.ToString("D"), StringComparer.Ordinal).ToList();
    }

    public Task MarkSentAsync(Guid tokenId, string dispatcher, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        ExecuteAsync($"UPDATE {Table} SET sent_at = $at, last_error = NULL WHERE token_id = $token AND claimed_by = $dispatcher AND {Pending}",
            cancellationToken, ("$token", SqliteDatabaseFile.Key(tokenId)), ("$dispatcher", dispatcher), ("$at", SqliteDatabaseFile.Time(at)));

    public Task RetryLaterAsync(Guid tokenId, string dispatcher, DateTimeOffset retryAt, string error, CancellationToken cancellationToken = default) =>
        ExecuteAsync($"UPDATE {Table} SET claimed_until = $retryAt, last_error = $error WHERE token_id = $token AND claimed_by = $dispatcher AND {Pending}",
            cancellationToken, ("$token", SqliteDatabaseFile.Key(tokenId)), ("$dispatcher", dispatcher),
            ("$retryAt", SqliteDatabaseFile.Time(retryAt)), ("$error", error));

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken = default)
    {
        await _schema.EnsureAsync().ConfigureAwait(false);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // Both columns are fixed-width UTC text, so max() and min() compare them as times.
        command.CommandText = $"SELECT min(max(due_at, coalesce(claimed_until, due_at))) FROM {Table} WHERE {Pending}";
        var next = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return next is string text ? SqliteDatabaseFile.ParseTime(text) : null;
    }

    public async Task<ScheduledMessageStatus?> GetStatusAsync(Guid tokenId, CancellationToken cancellationToken = default)
    {
        await _schema.EnsureAsync().ConfigureAwait(false);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT due_at, attempts, claimed_by, sent_at, cancelled_at, last_error FROM {Table} WHERE token_id = $token";
        command.Parameters.AddWithValue("$token", SqliteDatabaseFile.Key(tokenId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;
        return new ScheduledMessageStatus(tokenId, SqliteDatabaseFile.ParseTime(reader.GetString(0)), reader.GetInt32(1),
            reader.IsDBNull(2) ? null : reader.GetString(2), OptionalTime(reader, 3), OptionalTime(reader, 4), reader.IsDBNull(5) ? null : reader.GetString(5));
    }

    public Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default) =>
        ExecuteAsync($"DELETE FROM {Table} WHERE coalesce(sent_at, cancelled_at) < $before", cancellationToken, ("$before", SqliteDatabaseFile.Time(before)));

    private async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await _schema.EnsureAsync().ConfigureAwait(false);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DateTimeOffset? OptionalTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : SqliteDatabaseFile.ParseTime(reader.GetString(ordinal));

    private async Task CreateSchemaAsync()
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS {Table} (
                token_id      TEXT    NOT NULL PRIMARY KEY,
                destination   TEXT    NOT NULL,
                due_at        TEXT    NOT NULL,
                message_types TEXT    NOT NULL,
                content_type  TEXT    NOT NULL,
                body          TEXT    NOT NULL,
                attempts      INTEGER NOT NULL,
                claimed_by    TEXT,
                claimed_until TEXT,
                sent_at       TEXT,
                cancelled_at  TEXT,
                last_error    TEXT
            );
            CREATE INDEX IF NOT EXISTS ix_{Table}_pending ON {Table} (due_at) WHERE sent_at IS NULL AND cancelled_at IS NULL;
            """;
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
