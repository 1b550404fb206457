using Npgsql;

namespace Caas.Recovery.Sagas.Persistence;

/// <summary>
/// Brings recovery's PostgreSQL tables (saga tables, scheduled messages) to the version this build
/// knows, and records in <see cref="VersionTable"/> which migrations each of them has applied.
/// </summary>
internal static class PostgresMigrations
{
    public const string VersionTable = "recovery_schema_versions";

    /// <summary>
    /// Applies <paramref name="migrations"/>[n-1] for every version n of <paramref name="component"/> not yet recorded, then
    /// <paramref name="everyStart"/> (idempotent statements such as indexes that depend on configuration). One transaction under
    /// an advisory lock, so hosts that start together neither race on CREATE TABLE nor apply a migration twice.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database was migrated by a newer build.</exception>
    public static async Task ApplyAsync(NpgsqlDataSource dataSource, string component, IReadOnlyList<string> migrations, string everyStart, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"""
            SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.{VersionTable}'));
            CREATE TABLE IF NOT EXISTS {VersionTable} (
                component  text        NOT NULL,
                version    integer     NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (component, version)
            );
            """, cancellationToken).ConfigureAwait(false);

        int stored;
        await using (var read = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {VersionTable} WHERE component = $1;", connection))
        {
            read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = component });
            stored = (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        if (stored > migrations.Count)
            throw new InvalidOperationException(
                $"Recovery table '{component}' in database '{connection.Database}' has schema version {stored}; this build understands up to {migrations.Count}. Use a newer build.");

        for (var version = stored + 1; version <= migrations.Count; version++)
        {
            await ExecuteAsync(connection, migrations[version - 1], cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand($"INSERT INTO {VersionTable} (component, version) VALUES ($1, $2);", connection);
            record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = component });
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        if (everyStart.Length > 0)
            await ExecuteAsync(connection, everyStart, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
