using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Caas.Web.Portal.Security;

/// <summary>The security store in the standalone platform's SQLite file (<c>Caas:Security:DatabasePath</c>); times are ISO 8601 text.</summary>
public sealed class SqliteSecurityStore : SecurityStore
{
    private readonly string connectionString;

    public SqliteSecurityStore(IOptions<SecurityOptions> options, TimeProvider clock) : base(options.Value, clock)
    {
        var path = options.Value.DatabasePath;
        if (string.IsNullOrWhiteSpace(path))
            throw new InvalidOperationException($"{SecurityOptions.SectionName}:DatabasePath is not set: access control needs a database for users and tokens.");
        connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
    }

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct)
    {
        var db = new SqliteConnection(connectionString);
        await db.OpenAsync(ct);
        return db;
    }

    protected override object Time(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    protected override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>
    /// The tables, and the default project. A database from before projects existed gets its users put in the
    /// default project, where every job recorded until then belongs, so nobody loses sight of their jobs on upgrade.
    /// </summary>
    protected override async Task CreateSchemaAsync(DbConnection db, CancellationToken ct)
    {
        await using var command = db.CreateCommand();
        command.CommandText = """
            PRAGMA busy_timeout = 5000;
            CREATE TABLE IF NOT EXISTS security_users (
                name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS security_api_tokens (
                id TEXT PRIMARY KEY, user_name TEXT NOT NULL REFERENCES security_users(name), name TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, revoked_at TEXT);
            CREATE TABLE IF NOT EXISTS security_projects (name TEXT PRIMARY KEY, created_at TEXT NOT NULL);
            INSERT INTO security_projects (name, created_at) VALUES (@default, @at) ON CONFLICT (name) DO NOTHING;
            CREATE TABLE IF NOT EXISTS security_memberships (
                user_name TEXT NOT NULL REFERENCES security_users(name), project TEXT NOT NULL REFERENCES security_projects(name),
                PRIMARY KEY (user_name, project));
            INSERT INTO security_memberships (user_name, project)
                SELECT name, @default FROM security_users u WHERE NOT EXISTS (SELECT 1 FROM security_memberships m WHERE m.user_name = u.name)
                AND NOT EXISTS (SELECT 1 FROM security_memberships);
            CREATE TABLE IF NOT EXISTS security_agent_credentials (
                node_id TEXT PRIMARY KEY, credential_hash TEXT NOT NULL, enrolled_at TEXT NOT NULL, revoked_at TEXT);
            """;
        command.Set("@default", JobProjects.Default);
        command.Set("@at", Time(Clock.GetUtcNow()));
        await command.ExecuteNonQueryAsync(ct);
    }
}
