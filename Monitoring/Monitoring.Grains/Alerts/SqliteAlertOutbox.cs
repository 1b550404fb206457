using System.Text.Json;
using System.Text.Json.Serialization;
using Caas.Contracts.Alerts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>
/// The webhook delivery outbox, a table <c>alert_deliveries</c> in the platform's SQLite database: one row per
/// notification and webhook, written when the alert event is recorded, so a restart delivers what was not delivered yet.
/// </summary>
public sealed class SqliteAlertOutbox : IAlertOutbox
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly string _connectionString;
    private readonly AlertingOptions _options;
    private readonly TimeProvider _time;
    private readonly Lazy<Task> _schema;

    public SqliteAlertOutbox(string databasePath, AlertingOptions options, [FromKeyedServices(MonitoringClock.Key)] TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true }.ToString();
        _options = options;
        _time = time;
        _schema = new Lazy<Task>(CreateSchemaAsync);
    }

    public async Task EnqueueAsync(Guid eventId, AlertNotification notification, CancellationToken cancellationToken = default)
    {
        if (_options.Webhooks.Count == 0)
            return;
        await using var db = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await db.BeginTransactionAsync(cancellationToken);
        await using (var exists = db.CreateCommand())
        {
            exists.Transaction = transaction;
            exists.CommandText = "SELECT 1 FROM alert_deliveries WHERE event_id = $event LIMIT 1";
            exists.Parameters.AddWithValue("$event", eventId.ToString());
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
                return;
        }
        var body = JsonSerializer.Serialize(notification, Json);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var webhook in _options.Webhooks)
        {
            await using var insert = db.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO alert_deliveries (event_id, alert_id, occurrence, notification, url, body, status, attempts, created_at, next_attempt_at)
                VALUES ($event, $alert, $occurrence, $notification, $url, $body, 0, 0, $now, $now)
                """;
            insert.Parameters.AddWithValue("$event", eventId.ToString());
            insert.Parameters.AddWithValue("$alert", notification.AlertId);
            insert.Parameters.AddWithValue("$occurrence", notification.Occurrence);
            insert.Parameters.AddWithValue("$notification", notification.Status);
            insert.Parameters.AddWithValue("$url", webhook.Url);
            insert.Parameters.AddWithValue("$body", body);
            insert.Parameters.AddWithValue("$now", now);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyDictionary<(string AlertId, int Occurrence), IReadOnlyList<AlertDelivery>>> ListAsync(IReadOnlyCollection<string> alertIds, CancellationToken cancellationToken = default)
    {
        var result = new Dictionary<(string, int), List<AlertDelivery>>();
        if (alertIds.Count > 0)
        {
            await using var db = await OpenAsync(cancellationToken);
            await using var select = db.CreateCommand();
            var names = alertIds.Select((id, i) => { select.Parameters.AddWithValue($"$a{i}", id); return $"$a{i}"; });
            select.CommandText = $"""
                SELECT alert_id, occurrence, notification, url, status, attempts, last_error, created_at, last_attempt_at
                FROM alert_deliveries WHERE alert_id IN ({string.Join(", ", names)}) ORDER BY id
                """;
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = (reader.GetString(0), reader.GetInt32(1));
                if (!result.TryGetValue(key, out var list))
                    result[key] = list = [];
                list.Add(new AlertDelivery
                {
                    Notification = reader.GetString(2),
                    Webhook = new WebhookTarget { Url = reader.GetString(3) }.DisplayName,
                    Status = (DeliveryStatus)reader.GetInt32(4),
                    Attempts = reader.GetInt32(5),
                    LastError = reader.IsDBNull(6) ? null : reader.GetString(6),
                    CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                    LastAttemptAt = reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                });
            }
        }
        return result.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<AlertDelivery>)kv.Value);
    }

    /// <summary>Pending deliveries whose next attempt is due at <paramref name="now"/>, oldest first.</summary>
    public async Task<IReadOnlyList<PendingDelivery>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        await using var select = db.CreateCommand();
        select.CommandText = "SELECT id, url, body, attempts FROM alert_deliveries WHERE status = 0 AND next_attempt_at <= $now ORDER BY id LIMIT $max";
        select.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        select.Parameters.AddWithValue("$max", max);
        var due = new List<PendingDelivery>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            due.Add(new PendingDelivery(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
        return due;
    }

    /// <summary>Records one attempt: delivered, or failed with <paramref name="error"/> and tried again at <paramref name="retryAt"/> (null: given up).</summary>
    public async Task RecordAttemptAsync(long id, bool delivered, string? error, DateTimeOffset at, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        await using var update = db.CreateCommand();
        update.CommandText = """
            UPDATE alert_deliveries SET attempts = attempts + 1, last_attempt_at = $at, last_error = $error,
                status = $status, next_attempt_at = COALESCE($retry, next_attempt_at)
            WHERE id = $id
            """;
        update.Parameters.AddWithValue("$id", id);
        update.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        update.Parameters.AddWithValue("$error", (object?)error ?? DBNull.Value);
        update.Parameters.AddWithValue("$status", (int)(delivered ? DeliveryStatus.Delivered : retryAt is null ? DeliveryStatus.Failed : DeliveryStatus.Pending));
        update.Parameters.AddWithValue("$retry", (object?)retryAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await _schema.Value;
        return await OpenRawAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var db = new SqliteConnection(_connectionString);
        await db.OpenAsync(cancellationToken);
        await using var pragma = db.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 30000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return db;
    }

    private async Task CreateSchemaAsync()
    {
        await using var db = await OpenRawAsync(CancellationToken.None);
        await using var create = db.CreateCommand();
        create.CommandText = """
            CREATE TABLE IF NOT EXISTS alert_deliveries (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL,
                alert_id TEXT NOT NULL,
                occurrence INTEGER NOT NULL,
                notification TEXT NOT NULL,
                url TEXT NOT NULL,
                body TEXT NOT NULL,
                status INTEGER NOT NULL,
                attempts INTEGER NOT NULL,
                last_error TEXT,
                created_at INTEGER NOT NULL,
                last_attempt_at INTEGER,
                next_attempt_at INTEGER NOT NULL,
                UNIQUE (event_id, url));
            CREATE INDEX IF NOT EXISTS alert_deliveries_due ON alert_deliveries (status, next_attempt_at);
            CREATE INDEX IF NOT EXISTS alert_deliveries_alert ON alert_deliveries (alert_id);
            """;
        await create.ExecuteNonQueryAsync();
    }
}
