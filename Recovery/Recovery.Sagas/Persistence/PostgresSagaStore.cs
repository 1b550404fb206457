using MassTransit;
using Npgsql;
using NpgsqlTypes;

namespace Caas.Recovery.Sagas.Persistence;

/// <summary>
/// Saga instances of one type as jsonb rows of one PostgreSQL table, with optimistic concurrency on
/// a version column. Every operation is a single statement: no transaction is held across a message,
/// so a host killed mid-message leaves no lock behind.
/// </summary>
public sealed class PostgresSagaStore<TSaga> : ISagaStore<TSaga>
    where TSaga : class, ISagaVersion
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _table;
    private readonly Func<TSaga, string> _describeState;
    private readonly TimeProvider _time;
    private readonly SchemaOnce _schema;

    /// <param name="dataSource">The platform database; tables land in the first schema of its search path.</param>
    /// <param name="describeState">The instance's current state, stored in its own column for people and queries.</param>
    public PostgresSagaStore(NpgsqlDataSource dataSource, SagaTable table, Func<TSaga, string> describeState, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(table);
        _dataSource = dataSource;
        Table = table;
        _table = table.Name;
        _describeState = describeState;
        _time = time;
        _schema = new SchemaOnce(CreateSchemaAsync);
    }

    public string Backend => "postgresql";

    public SagaTable Table { get; }

    public async Task<TSaga?> LoadAsync(Guid correlationId, CancellationToken cancellationToken = default)
    {
        var found = await QueryAsync("correlation_id = $2", "correlation_id", 1, [Uuid(correlationId)], cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<bool> TryInsertAsync(TSaga saga, CancellationToken cancellationToken = default)
    {
        var inserted = await ExecuteAsync($"""
            INSERT INTO {_table} (correlation_id, current_state, version, data, created_at, updated_at)
            VALUES ($1, $2, 1, $3, $4, $4)
            ON CONFLICT (correlation_id) DO NOTHING
            """, [Uuid(saga.CorrelationId), Text(_describeState(saga)), Jsonb(saga), Now()], cancellationToken).ConfigureAwait(false);
        if (inserted == 1)
            saga.Version = 1;
        return inserted == 1;
    }

    public async Task UpdateAsync(TSaga saga, CancellationToken cancellationToken = default)
    {
        var updated = await ExecuteAsync($"""
            UPDATE {_table}
               SET current_state = $3, version = version + 1, data = $4, updated_at = $5
             WHERE correlation_id = $1 AND version = $2
            """, [Uuid(saga.CorrelationId), Int(saga.Version), Text(_describeState(saga)), Jsonb(saga), Now()], cancellationToken).ConfigureAwait(false);
        if (updated == 0)
            throw new ConcurrencyException($"Saga {saga.CorrelationId} changed since version {saga.Version} was loaded.", typeof(TSaga), saga.CorrelationId);
        saga.Version++;
    }

    public async Task DeleteAsync(TSaga saga, CancellationToken cancellationToken = default)
    {
        var deleted = await ExecuteAsync($"DELETE FROM {_table} WHERE correlation_id = $1 AND version = $2",
            [Uuid(saga.CorrelationId), Int(saga.Version)], cancellationToken).ConfigureAwait(false);
        if (deleted == 0)
            throw new ConcurrencyException($"Saga {saga.CorrelationId} changed since version {saga.Version} was loaded.", typeof(TSaga), saga.CorrelationId);
    }

    public Task<IReadOnlyList<TSaga>> LoadAllAsync(CancellationToken cancellationToken = default) =>
        QueryAsync("true", "created_at, correlation_id", int.MaxValue, [], cancellationToken);

    public Task<IReadOnlyList<TSaga>> ListNewestAsync(int take, CancellationToken cancellationToken = default) =>
        QueryAsync("true", "created_at DESC, correlation_id", take, [], cancellationToken);

    public Task<IReadOnlyList<TSaga>> ListNewestWhereAsync(string indexedProperty, string value, int take, CancellationToken cancellationToken = default)
    {
        Table.ThrowIfNotIndexed(indexedProperty);
        return QueryAsync($"(data->>'{indexedProperty}') = $2", "created_at DESC, correlation_id", take, [Text(value)], cancellationToken);
    }

    public Task<IReadOnlyList<TSaga>> ListInStatesAsync(IReadOnlyCollection<string> states, CancellationToken cancellationToken = default) =>
        QueryAsync("current_state = ANY($2)", "created_at, correlation_id", int.MaxValue,
            [new NpgsqlParameter<string[]> { TypedValue = states.ToArray() }], cancellationToken);

    /// <summary>Instances matching a SQL condition; $1 is the limit, the condition's own parameters start at $2.</summary>
    private async Task<IReadOnlyList<TSaga>> QueryAsync(string condition, string orderBy, int limit, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        await _schema.EnsureAsync().ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT version, data::text FROM {_table} WHERE {condition} ORDER BY {orderBy} LIMIT $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = limit });
        command.Parameters.AddRange(parameters);
        var sagas = new List<TSaga>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            sagas.Add(SagaJson.Deserialize<TSaga>(reader.GetString(1), reader.GetInt32(0), _table));
        return sagas;
    }

    private async Task<int> ExecuteAsync(string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        await _schema.EnsureAsync().ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task CreateSchemaAsync()
    {
        string[] migrations =
        [
            // 1: one row per instance; the version column is the concurrency check.
            $"""
            CREATE TABLE {_table} (
                correlation_id uuid        NOT NULL PRIMARY KEY,
                current_state  text        NOT NULL,
                version        integer     NOT NULL,
                data           jsonb       NOT NULL,
                created_at     timestamptz NOT NULL,
                updated_at     timestamptz NOT NULL
            );
            CREATE INDEX ix_{_table}_created_at ON {_table} (created_at);
            CREATE INDEX ix_{_table}_current_state ON {_table} (current_state);
            """,
        ];
        // Which properties are indexed is configuration, not schema history.
        var indexes = string.Concat(Table.IndexedJsonProperties.Select(p =>
            $"CREATE INDEX IF NOT EXISTS ix_{_table}_{p.ToLowerInvariant()} ON {_table} ((data->>'{p}'));\n"));
        return PostgresMigrations.ApplyAsync(_dataSource, _table, migrations, indexes, CancellationToken.None);
    }

    private NpgsqlParameter Now() => new NpgsqlParameter<DateTimeOffset> { TypedValue = _time.GetUtcNow() };

    private static NpgsqlParameter Uuid(Guid id) => new NpgsqlParameter<Guid> { TypedValue = id };

    private static NpgsqlParameter Int(int value) => new NpgsqlParameter<int> { TypedValue = value };

    private static NpgsqlParameter Text(string value) => new NpgsqlParameter<string> { TypedValue = value };

    private static NpgsqlParameter Jsonb(TSaga saga) => new NpgsqlParameter<string> { TypedValue = SagaJson.Serialize(saga), NpgsqlDbType = NpgsqlDbType.Jsonb };
}
