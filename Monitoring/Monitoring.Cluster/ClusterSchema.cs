using Npgsql;

namespace Caas.Monitoring.Cluster;

/// <summary>
/// Creates and migrates the Orleans cluster tables in the connection's schema (the first on its search path),
/// records the version applied in <c>cluster_schema_version</c>, and (re)writes the <c>OrleansQuery</c> catalogue the
/// ADO.NET providers read at start, so a silo of a newer build always finds the statements it was built with.
/// </summary>
public static class ClusterSchema
{
    // Any constant works; it keeps silos that start at once on an empty database from racing on CREATE.
    private const long MigrationLockKey = 0x63616173_636c7374; // "caasclst"

    private static readonly string[] Migrations =
    [
        // 1: membership (one version row per cluster, the etag of the whole table; one row per silo incarnation),
        // reminders, and the query catalogue whose table and column names the providers fix.
        """
        CREATE TABLE orleans_membership_version (
            deployment_id text PRIMARY KEY,
            version integer NOT NULL,
            changed_at timestamptz NOT NULL
        );
        CREATE TABLE orleans_membership (
            deployment_id text NOT NULL REFERENCES orleans_membership_version (deployment_id) ON DELETE CASCADE,
            address text NOT NULL,
            port integer NOT NULL,
            generation integer NOT NULL,
            silo_name text NOT NULL,
            host_name text NOT NULL,
            status integer NOT NULL,
            proxy_port integer,
            suspect_times text,
            start_time timestamptz NOT NULL,
            i_am_alive_time timestamptz NOT NULL,
            PRIMARY KEY (deployment_id, address, port, generation)
        );
        CREATE TABLE orleans_reminders (
            service_id text NOT NULL,
            grain_id text NOT NULL,
            reminder_name text NOT NULL,
            start_time timestamptz NOT NULL,
            period_ms bigint NOT NULL,
            grain_hash integer NOT NULL,
            version integer NOT NULL,
            PRIMARY KEY (service_id, grain_id, reminder_name)
        );
        CREATE INDEX orleans_reminders_by_hash ON orleans_reminders (service_id, grain_hash);
        CREATE TABLE OrleansQuery (
            QueryKey text PRIMARY KEY,
            QueryText text NOT NULL
        );
        """,
    ];

    public static int CurrentVersion => Migrations.Length;

    public static async Task MigrateAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({MigrationLockKey});", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, """
            CREATE TABLE IF NOT EXISTS cluster_schema_version (
                version integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """, cancellationToken).ConfigureAwait(false);
        int applied;
        await using (var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM cluster_schema_version;", connection))
            applied = (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        if (applied > Migrations.Length)
            throw new InvalidOperationException(
                $"The cluster schema is at version {applied}, newer than this build knows ({Migrations.Length}): upgrade this silo instead of running an older one against it.");
        for (var version = applied + 1; version <= Migrations.Length; version++)
        {
            await ExecuteAsync(connection, Migrations[version - 1], cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand("INSERT INTO cluster_schema_version (version) VALUES ($1);", connection);
            record.Parameters.AddWithValue(version);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var (key, text) in ClusterQueries.Membership.Concat(ClusterQueries.Reminders))
        {
            await using var upsert = new NpgsqlCommand(
                "INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ($1, $2) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;",
                connection);
            upsert.Parameters.AddWithValue(key);
            upsert.Parameters.AddWithValue(text);
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
