using System.Data.Common;
using Npgsql;

namespace Caas.Web.Portal.Security;

/// <summary>
/// The security store in the cluster's PostgreSQL (the first schema on the connection's search path), shared by every
/// web host and silo: a token revoked or an agent enrolled through one host holds on all of them at the next request,
/// since nothing is cached. The tables are created and migrated at first use, under an advisory lock so hosts starting
/// together do not race, and <c>security_schema_version</c> records which migrations ran.
/// </summary>
public sealed class PostgresSecurityStore : SecurityStore, IAsyncDisposable
{
    // Any constant works; it only serializes migrations of hosts starting at once. "caassecu".
    private const long MigrationLockKey = 0x63616173_73656375;

    private static readonly string[] Migrations =
    [
        // 1: users, tokens, projects, memberships and agent credentials; secrets only as hashes.
        """
        CREATE TABLE security_users (
            name          text        PRIMARY KEY,
            password_hash text        NOT NULL,
            role          text        NOT NULL,
            created_at    timestamptz NOT NULL
        );
        CREATE TABLE security_api_tokens (
            id         text        PRIMARY KEY,
            user_name  text        NOT NULL REFERENCES security_users (name),
            name       text        NOT NULL,
            token_hash text        NOT NULL UNIQUE,
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            revoked_at timestamptz
        );
        CREATE INDEX security_api_tokens_user ON security_api_tokens (user_name);
        CREATE TABLE security_projects (
            name       text        PRIMARY KEY,
            created_at timestamptz NOT NULL
        );
        CREATE TABLE security_memberships (
            user_name text NOT NULL REFERENCES security_users (name),
            project   text NOT NULL REFERENCES security_projects (name),
            PRIMARY KEY (user_name, project)
        );
        CREATE TABLE security_agent_credentials (
            node_id         text        PRIMARY KEY,
            credential_hash text        NOT NULL,
            enrolled_at     timestamptz NOT NULL,
            revoked_at      timestamptz
        );
        """,
    ];

    private readonly NpgsqlDataSource dataSource;

    public PostgresSecurityStore(string connectionString, SecurityOptions options, TimeProvider clock) : base(options, clock)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException("The cluster's PostgreSQL connection string is not set: a cluster keeps users, tokens and agent credentials there.");
        dataSource = NpgsqlDataSource.Create(connectionString);
    }

    public static int CurrentVersion => Migrations.Length;

    /// <summary>
    /// A pooled connection that works. After a database restart every idle connection in the pool is dead, and the first
    /// command on each would fail, turning the first requests after the restart into 500s (and every request is
    /// authenticated here): a dead one is found with one round trip, and the pool's other idle ones dropped with it.
    /// </summary>
    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            await using var ping = new NpgsqlCommand("SELECT 1", connection);
            await ping.ExecuteScalarAsync(ct);
            return connection;
        }
        catch (NpgsqlException error) when (error.IsTransient)
        {
            await connection.DisposeAsync();
            dataSource.Clear();
            return await dataSource.OpenConnectionAsync(ct);
        }
    }

    // timestamptz takes a UTC DateTime; Npgsql refuses other kinds rather than guess the zone.
    protected override object Time(DateTimeOffset at) => at.UtcDateTime;

    protected override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    protected override async Task CreateSchemaAsync(DbConnection db, CancellationToken ct)
    {
        await using var transaction = await db.BeginTransactionAsync(ct);
        await ExecuteAsync(db, $"SELECT pg_advisory_xact_lock({MigrationLockKey});", ct);
        await ExecuteAsync(db, """
            CREATE TABLE IF NOT EXISTS security_schema_version (
                version    integer     PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """, ct);
        int stored;
        string schema;
        await using (var read = db.CreateCommand())
        {
            read.CommandText = "SELECT coalesce(max(version), 0), current_schema() FROM security_schema_version;";
            await using var reader = await read.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            stored = reader.GetInt32(0);
            schema = reader.GetString(1);
        }
        if (stored > CurrentVersion)
            throw new InvalidOperationException(
                $"The security store in schema '{schema}' of database '{db.Database}' has schema version {stored}; this build understands up to {CurrentVersion}. Use a newer build.");
        for (var version = stored + 1; version <= CurrentVersion; version++)
        {
            await ExecuteAsync(db, Migrations[version - 1], ct);
            await using var record = db.CreateCommand();
            record.CommandText = "INSERT INTO security_schema_version (version) VALUES (@version);";
            record.Set("@version", version);
            await record.ExecuteNonQueryAsync(ct);
        }
        await using (var project = db.CreateCommand())
        {
            project.CommandText = "INSERT INTO security_projects (name, created_at) VALUES (@name, @at) ON CONFLICT (name) DO NOTHING;";
            project.Set("@name", JobProjects.Default);
            project.Set("@at", Time(Clock.GetUtcNow()));
            await project.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    private static async Task ExecuteAsync(DbConnection db, string sql, CancellationToken ct)
    {
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }
}
