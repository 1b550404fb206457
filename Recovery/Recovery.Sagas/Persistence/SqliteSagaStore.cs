using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.Data.Sqlite;

namespace Caas.Recovery.Sagas.Persistence;

/// <summary>
/// Saga instances of one type as JSON rows of one SQLite table, with optimistic concurrency on a
/// version column. Every operation is a single statement, so no transaction is held across a
/// message and writers never deadlock on SQLite's lock upgrade.
/// </summary>
public sealed partial class SqliteSagaStore<TSaga>
    where TSaga : class, ISagaVersion
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    private readonly string _connectionString;
    private readonly string _table;
    private readonly Func<TSaga, string> _describeState;
    private readonly IReadOnlyList<string> _indexedJsonProperties;
    private readonly TimeProvider _time;
    private readonly Lazy<Task> _schema;

    /// <param name="databasePath">SQLite file; created when missing. May be the event store's file.</param>
    /// <param name="table">Table of this saga type: lower-case letters, digits and underscores.</param>
    /// <param name="describeState">The instance's current state, stored in its own column for people and queries.</param>
    /// <param name="indexedJsonProperties">Top-level properties of the JSON that queries filter on.</param>
    public SqliteSagaStore(string databasePath, string table, Func<TSaga, string> describeState, TimeProvider time, IEnumerable<string>? indexedJsonProperties = null)
    {
        if (string.IsNullOrWhiteSpace(databasePath))
            throw new ArgumentException("The saga database path must be a file path, not empty.", nameof(databasePath));
        if (!SqlName().IsMatch(table))
            throw new ArgumentException($"Saga table name '{table}' must be lower-case letters, digits and underscores.", nameof(table));
        _indexedJsonProperties = (indexedJsonProperties ?? []).ToList();
        foreach (var property in _indexedJsonProperties)
        {
            if (!JsonPropertyName().IsMatch(property))
                throw new ArgumentException($"Indexed JSON property '{property}' must be a plain identifier.", nameof(indexedJsonProperties));
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(databasePath),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Microsoft.Data.Sqlite retries a busy database for this many seconds: the event store
            // writes to the same file.
            DefaultTimeout = 30,
        }.ToString();
        _table = table;
        _describeState = describeState;
        _time = time;
        _schema = new Lazy<Task>(CreateSchemaAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Table => _table;

    public async Task<TSaga?> LoadAsync(Guid correlationId, CancellationToken cancellationToken = default)
    {
        var found = await QueryAsync("correlation_id = $id", "correlation_id", 1,
            new Dictionary<string, object> { ["$id"] = Key(correlationId) }, cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>Inserts the instance unless one with its id exists; a concurrent duplicate is not an error.</summary>
    /// <returns>True when this call inserted it.</returns>
    public async Task<bool> TryInsertAsync(TSaga saga, CancellationToken cancellationToken = default)
    {
        var inserted = await InsertRowAsync(saga, cancellationToken).ConfigureAwait(false);
        if (inserted)
            saga.Version = 1;
        return inserted;
    }

    /// <summary>Inserts a new instance; if another writer inserted the same id first, MassTransit retries the message and then finds it.</summary>
    /// <exception cref="ConcurrencyException">An instance with this id exists.</exception>
    public async Task InsertAsync(TSaga saga, CancellationToken cancellationToken = default)
    {
        if (!await TryInsertAsync(saga, cancellationToken).ConfigureAwait(false))
            throw new ConcurrencyException($"Saga {saga.CorrelationId} was inserted concurrently.", typeof(TSaga), saga.CorrelationId);
    }

    /// <summary>Writes the instance if nobody wrote it since it was loaded at its Version; then increments Version.</summary>
    /// <exception cref="ConcurrencyException">Another writer changed or deleted it first.</exception>
    public async Task UpdateAsync(TSaga saga, CancellationToken cancellationToken = default)
    {
        await _schema.Value.ConfigureAwait(false);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            UPDATE {_table}
               SET current_state = $state, version = version + 1, data = $data, updated_at = $now
             WHERE correlation_id = $id AND version = $version
            """;
        command.Parameters.AddWithValue("$id", Key(saga.CorrelationId));
        command.Parameters.AddWithValue("$version", saga.Version);
        command.Parameters.AddWithValue("$state", _describeState(saga));
        command.Parameters.AddWithValue("$data", JsonSerializer.Serialize(saga, Json));
        command.Parameters.AddWithValue("$now", Now());
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            throw new ConcurrencyException($"Saga {saga.CorrelationId} changed since version {saga.Version} was loaded.", typeof(TSaga), saga.CorrelationId);
        saga.Version++;
    }

    /// <exception cref="ConcurrencyException">Another writer changed or deleted it first.</exception>
    public async Task DeleteAsync(TSaga saga, CancellationToken cancellationToken = default)
    {
        await _schema.Value.ConfigureAwait(false);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM {_table} WHERE correlation_id = $id AND version = $version";
        command.Parameters.AddWithValue("$id", Key(saga.CorrelationId));
        command.Parameters.AddWithValue("$version", saga.Version);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            throw new ConcurrencyException($"Saga {saga.CorrelationId} changed since version {saga.Version} was loaded.", typeof(TSaga), saga.CorrelationId);
    }

    /// <summary>Every instance, oldest first; for tools and tests that query by arbitrary expressions.</summary>
    public Task<IReadOnlyList<TSaga>> LoadAllAsync(CancellationToken cancellationToken = default) =>
        QueryAsync("1 = 1", "created_at, correlation_id", int.MaxValue, new Dictionary<string, object>(), cancellationToken);

    /// <summary>Instances matching a SQL condition over the table's columns and json_extract(data, ...).</summary>
    internal async Task<IReadOnlyList<TSaga>> QueryAsync(string condition, string orderBy, int limit, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken)
    {
        await _schema.Value.ConfigureAwait(false);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT version, data FROM {_table} WHERE {condition} ORDER BY {orderBy} LIMIT $limit";
        command.Parameters.AddWithValue("$limit", limit);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);

        var sagas = new List<TSaga>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var saga = JsonSerializer.Deserialize<TSaga>(reader.GetString(1), Json)
                ?? throw new InvalidDataException($"Row of {_table} holds no saga.");
            // The column, not the JSON, is the version the next update must match.
            saga.Version = reader.GetInt32(0);
            sagas.Add(saga);
        }
        return sagas;
    }

    private async Task<bool> InsertRowAsync(TSaga saga, CancellationToken cancellationToken)
    {
        await _schema.Value.ConfigureAwait(false);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO {_table} (correlation_id, current_state, version, data, created_at, updated_at)
            VALUES ($id, $state, 1, $data, $now, $now)
            ON CONFLICT (correlation_id) DO NOTHING
            """;
        command.Parameters.AddWithValue("$id", Key(saga.CorrelationId));
        command.Parameters.AddWithValue("$state", _describeState(saga));
        command.Parameters.AddWithValue("$data", JsonSerializer.Serialize(saga, Json));
        command.Parameters.AddWithValue("$now", Now());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private async Task CreateSchemaAsync()
    {
        await using var connection = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var indexes = string.Concat(_indexedJsonProperties.Select(p =>
            $"CREATE INDEX IF NOT EXISTS ix_{_table}_{p.ToLowerInvariant()} ON {_table} (json_extract(data, '$.{p}'));\n"));
        command.CommandText = $"""
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS {_table} (
                correlation_id TEXT    NOT NULL PRIMARY KEY,
                current_state  TEXT    NOT NULL,
                version        INTEGER NOT NULL,
                data           TEXT    NOT NULL,
                created_at     TEXT    NOT NULL,
                updated_at     TEXT    NOT NULL
            );
            CREATE INDEX IF NOT EXISTS ix_{_table}_created_at ON {_table} (created_at);
            {indexes}
            """;
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
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

    // Fixed-width UTC text sorts in time order.
    private string Now() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string Key(Guid id) => id.ToString("D");

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SqlName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex JsonPropertyName();
}
