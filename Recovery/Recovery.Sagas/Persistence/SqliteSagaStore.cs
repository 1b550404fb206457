using MassTransit;
using Microsoft.Data.Sqlite;

namespace Caas.Recovery.Sagas.Persistence;

/// <summary>
/// Saga instances of one type as JSON rows of one SQLite table, with optimistic concurrency on a
/// version column. Every operation is a single statement, so no transaction is held across a
/// message and writers never deadlock on SQLite's lock upgrade.
/// </summary>
public sealed class SqliteSagaStore<TSaga> : ISagaStore<TSaga>
    where TSaga : class, ISagaVersion
{
    private readonly SqliteDatabaseFile _database;
    private readonly string _table;
    private readonly Func<TSaga, string> _describeState;
    private readonly TimeProvider _time;
    private readonly SchemaOnce _schema;

    /// <param name="databasePath">SQLite file; created when missing. May be the event store's file.</param>
    /// <param name="describeState">The instance's current state, stored in its own column for people and queries.</param>
    public SqliteSagaStore(string databasePath, SagaTable table, Func<TSaga, string> describeState, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(table);
        _database = new SqliteDatabaseFile(databasePath);
        Table = table;
        _table = table.Name;
        _describeState = describeState;
        _time = time;
        _schema = new SchemaOnce(CreateSchemaAsync);
    }

    public string Backend => "sqlite";

    public SagaTable Table { get; }

    public async Task<TSaga?> LoadAsync(Guid correlationId, CancellationToken cancellationToken = default)
    {
        var found = await QueryAsync("correlation_id = $id", "correlation_id", 1,
            new Dictionary<string, object> { ["$id"] = Key(correlationId) }, cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<bool> TryInsertAsync(TSaga saga, CancellationToken cancellationToken = default)
    {
        var inserted = await InsertRowAsync(saga, cancellationToken).ConfigureAwait(false);
        if (inserted)
            saga.Version = 1;
        return inserted;
    }

    public async Task UpdateAsync(TSaga saga, CancellationToken cancellationToken = default)
    {
        await _schema.EnsureAsync().ConfigureAwait(false);
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
        command.Parameters.AddWithValue("$data", SagaJson.Serialize(saga));
        command.Parameters.AddWithValue("$now", Now());
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            throw new ConcurrencyException($"Saga {saga.CorrelationId} changed since version {saga.Version} was loaded.", typeof(TSaga), saga.CorrelationId);
        saga.Version++;
    }

    public async Task DeleteAsync(TSaga saga, CancellationToken cancellationToken = default)
    {
        await _schema.EnsureAsync().ConfigureAwait(false);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM {_table} WHERE correlation_id = $id AND version = $version";
        command.Parameters.AddWithValue("$id", Key(saga.CorrelationId));
        command.Parameters.AddWithValue("$version", saga.Version);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            throw new ConcurrencyException($"Saga {saga.CorrelationId} changed since version {saga.Version} was loaded.", typeof(TSaga), saga.CorrelationId);
    }

    public Task<IReadOnlyList<TSaga>> LoadAllAsync(CancellationToken cancellationToken = default) =>
        QueryAsync("1 = 1", "created_at, correlation_id", int.MaxValue, new Dictionary<string, object>(), cancellationToken);

    public Task<IReadOnlyList<TSaga>> ListNewestAsync(int take, CancellationToken cancellationToken = default) =>
        QueryAsync("1 = 1", "created_at DESC, correlation_id", take, new Dictionary<string, object>(), cancellationToken);

    public Task<IReadOnlyList<TSaga>> ListNewestWhereAsync(string indexedProperty, string value, int take, CancellationToken cancellationToken = default)
    {
        Table.ThrowIfNotIndexed(indexedProperty);
        return QueryAsync($"json_extract(data, '$.{indexedProperty}') = $value", "created_at DESC, correlation_id", take,
            new Dictionary<string, object> { ["$value"] = value }, cancellationToken);
    }

    public Task<IReadOnlyList<TSaga>> ListInStatesAsync(IReadOnlyCollection<string> states, CancellationToken cancellationToken = default)
    {
        if (states.Count == 0)
            return Task.FromResult<IReadOnlyList<TSaga>>([]);
        var parameters = states.Select((state, i) => (Name: $"$s{i}", State: state)).ToList();
        return QueryAsync($"current_state IN ({string.Join(", ", parameters.Select(p => p.Name))})", "created_at, correlation_id", int.MaxValue,
            parameters.ToDictionary(p => p.Name, p => (object)p.State), cancellationToken);
    }

    /// <summary>Instances matching a SQL condition over the table's columns and json_extract(data, ...).</summary>
    private async Task<IReadOnlyList<TSaga>> QueryAsync(string condition, string orderBy, int limit, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken)
    {
        await _schema.EnsureAsync().ConfigureAwait(false);
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
            sagas.Add(SagaJson.Deserialize<TSaga>(reader.GetString(1), reader.GetInt32(0), _table));
        }
        return sagas;
    }

    private async Task<bool> InsertRowAsync(TSaga saga, CancellationToken cancellationToken)
    {
        await _schema.EnsureAsync().ConfigureAwait(false);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO {_table} (correlation_id, current_state, version, data, created_at, updated_at)
            VALUES ($id, $state, 1, $data, $now, $now)
            ON CONFLICT (correlation_id) DO NOTHING
            """;
        command.Parameters.AddWithValue("$id", Key(saga.CorrelationId));
        command.Parameters.AddWithValue("$state", _describeState(saga));
        command.Parameters.AddWithValue("$data", SagaJson.Serialize(saga));
        command.Parameters.AddWithValue("$now", Now());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private async Task CreateSchemaAsync()
    {
        await using var connection = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var indexes = string.Concat(Table.IndexedJsonProperties.Select(p =>
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
            CREATE INDEX IF NOT EXISTS ix_{_table}_current_state ON {_table} (current_state);
            {indexes}
            """;
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => _database.OpenAsync(cancellationToken);

    private string Now() => SqliteDatabaseFile.Time(_time.GetUtcNow());

    private static string Key(Guid id) => SqliteDatabaseFile.Key(id);
}
