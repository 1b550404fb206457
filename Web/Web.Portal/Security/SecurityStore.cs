using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Caas.Web.Portal.Security;

/// <summary>
/// Users and API tokens in their own tables of a SQLite database. Passwords are kept as PBKDF2 hashes and tokens
/// as SHA-256 hashes, so a copy of the database lets nobody log in.
/// </summary>
public sealed partial class SecurityStore : IProjectMemberships
{
    private const int MinimumPasswordLength = 12;
    private readonly string connectionString;
    private readonly TimeProvider clock;
    private readonly SecurityOptions options;
    private readonly SemaphoreSlim schemaLock = new(1, 1);
    private bool schemaReady;

    public SecurityStore(IOptions<SecurityOptions> options, TimeProvider clock)
    {
        this.options = options.Value;
        var path = this.options.DatabasePath;
        if (string.IsNullOrWhiteSpace(path))
            throw new InvalidOperationException($"{SecurityOptions.SectionName}:DatabasePath is not set: access control needs a database for users and tokens.");
        connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        this.clock = clock;
    }

    public async Task<int> CountUsersAsync(CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM security_users";
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Creates a user in <paramref name="projects"/> (the default project when null); refuses a bad name, role or short
    /// password, a name already taken or a project that does not exist, changing nothing.
    /// </summary>
    public async Task<UserAccount> CreateUserAsync(string name, string password, string role, CancellationToken ct = default) =>
        await CreateUserAsync(name, password, role, null, ct);

    public async Task<UserAccount> CreateUserAsync(string name, string password, string role, IReadOnlyList<string>? projects, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            throw new OperationRejectedException(RejectionKind.Invalid, "A user name is 1 to 64 letters, digits, '.', '-' or '_'.");
        if (!CaasRoles.IsValid(role))
            throw new OperationRejectedException(RejectionKind.Invalid, $"Unknown role '{role}'; the roles are {string.Join(", ", CaasRoles.All)}.");
        RequireAcceptablePassword(password);
        var memberOf = (projects ?? [JobProjects.Default]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var user = new UserAccount(name, role, clock.GetUtcNow()) { Projects = memberOf };
        await using var db = await OpenAsync(ct);
        await RequireProjectsExistAsync(db, memberOf, ct);
        await using var transaction = await db.BeginTransactionAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = "INSERT INTO security_users (name, password_hash, role, created_at) VALUES ($name, $hash, $role, $at) ON CONFLICT (name) DO NOTHING";
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$hash", PasswordHashing.Hash(password));
        command.Parameters.AddWithValue("$role", role);
        command.Parameters.AddWithValue("$at", Text(user.CreatedAt));
        if (await command.ExecuteNonQueryAsync(ct) == 0)
            throw new OperationRejectedException(RejectionKind.Conflict, $"There is already a user named '{name}'.");
        foreach (var project in memberOf)
            await InsertMembershipAsync(db, name, project, ct);
        await transaction.CommitAsync(ct);
        return user;
    }

    public async Task<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = """
            SELECT u.name, u.role, u.created_at, m.project FROM security_users u
            LEFT JOIN security_memberships m ON m.user_name = u.name ORDER BY u.name, m.project
            """;
        await using var reader = await command.ExecuteReaderAsync(ct);
        var users = new List<UserAccount>();
        var projects = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            if (users.Count == 0 || users[^1].Name != reader.GetString(0))
            {
                projects = [];
                users.Add(new UserAccount(reader.GetString(0), reader.GetString(1), Parse(reader.GetString(2))) { Projects = projects });
            }
            if (!reader.IsDBNull(3))
                projects.Add(reader.GetString(3));
        }
        return users;
    }

    /// <returns>The user when the name and password match; null otherwise (without saying which was wrong).</returns>
    public async Task<UserAccount?> VerifyPasswordAsync(string name, string password, CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT name, role, created_at, password_hash FROM security_users WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            return null;
        return PasswordHashing.Verify(password, reader.GetString(3))
            ? new UserAccount(reader.GetString(0), reader.GetString(1), Parse(reader.GetString(2)))
            : null;
    }

    public async Task ChangePasswordAsync(string name, string currentPassword, string newPassword, CancellationToken ct = default)
    {
        if (await VerifyPasswordAsync(name, currentPassword, ct) is null)
            throw new OperationRejectedException(RejectionKind.Invalid, "The current password is not right.");
        RequireAcceptablePassword(newPassword);
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = "UPDATE security_users SET password_hash = $hash WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$hash", PasswordHashing.Hash(newPassword));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <returns>The token's public description and its secret, which is not stored and cannot be shown again.</returns>
    public async Task<(ApiTokenInfo Token, string Secret)> CreateTokenAsync(string userName, string name, TimeSpan? lifetime, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
            throw new OperationRejectedException(RejectionKind.Invalid, "A token needs a name of 1 to 100 characters that says what it is for.");
        var life = lifetime ?? options.DefaultTokenLifetime;
        if (life <= TimeSpan.Zero || life > options.MaximumTokenLifetime)
            throw new OperationRejectedException(RejectionKind.Invalid, $"A token lives between 1 day and {options.MaximumTokenLifetime.TotalDays:0} days.");
        var now = clock.GetUtcNow();
        var token = new ApiTokenInfo("tok-" + Guid.NewGuid().ToString("N")[..12], name.Trim(), now, now + life, null);
        var secret = ApiTokenSecret.Generate();
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = """
            INSERT INTO security_api_tokens (id, user_name, name, token_hash, created_at, expires_at)
            VALUES ($id, $user, $name, $hash, $created, $expires)
            """;
        command.Parameters.AddWithValue("$id", token.Id);
        command.Parameters.AddWithValue("$user", userName);
        command.Parameters.AddWithValue("$name", token.Name);
        command.Parameters.AddWithValue("$hash", ApiTokenSecret.Hash(secret));
        command.Parameters.AddWithValue("$created", Text(token.CreatedAt));
        command.Parameters.AddWithValue("$expires", Text(token.ExpiresAt));
        await command.ExecuteNonQueryAsync(ct);
        return (token, secret);
    }

    public async Task<ApiTokenCheck> CheckTokenAsync(string secret, CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = """
            SELECT u.name, u.role, u.created_at, t.expires_at, t.revoked_at, t.id
            FROM security_api_tokens t JOIN security_users u ON u.name = t.user_name
            WHERE t.token_hash = $hash
            """;
        command.Parameters.AddWithValue("$hash", ApiTokenSecret.Hash(secret));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            return new ApiTokenCheck(null, "The token is not known to this platform.");
        if (!reader.IsDBNull(4))
            return new ApiTokenCheck(null, "The token was revoked.");
        if (Parse(reader.GetString(3)) <= clock.GetUtcNow())
            return new ApiTokenCheck(null, "The token has expired.");
        return new ApiTokenCheck(new UserAccount(reader.GetString(0), reader.GetString(1), Parse(reader.GetString(2))), null, reader.GetString(5));
    }

    public async Task<IReadOnlyList<ApiTokenInfo>> ListTokensAsync(string userName, CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT id, name, created_at, expires_at, revoked_at FROM security_api_tokens WHERE user_name = $user ORDER BY created_at DESC, id";
        command.Parameters.AddWithValue("$user", userName);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var tokens = new List<ApiTokenInfo>();
        while (await reader.ReadAsync(ct))
            tokens.Add(new ApiTokenInfo(reader.GetString(0), reader.GetString(1), Parse(reader.GetString(2)), Parse(reader.GetString(3)),
                reader.IsDBNull(4) ? null : Parse(reader.GetString(4))));
        return tokens;
    }

    /// <summary>Revokes one of the user's own tokens; a token of someone else counts as not found.</summary>
    public async Task RevokeTokenAsync(string userName, string tokenId, CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = "UPDATE security_api_tokens SET revoked_at = COALESCE(revoked_at, $at) WHERE id = $id AND user_name = $user";
        command.Parameters.AddWithValue("$id", tokenId);
        command.Parameters.AddWithValue("$user", userName);
        command.Parameters.AddWithValue("$at", Text(clock.GetUtcNow()));
        if (await command.ExecuteNonQueryAsync(ct) == 0)
            throw new OperationRejectedException(RejectionKind.NotFound, $"You have no token with id '{tokenId}'.");
    }

    private static void RequireAcceptablePassword(string password)
    {
        if (password.Length < MinimumPasswordLength)
            throw new OperationRejectedException(RejectionKind.Invalid, $"A password has at least {MinimumPasswordLength} characters.");
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var db = new SqliteConnection(connectionString);
        await db.OpenAsync(ct);
        if (!schemaReady)
            await EnsureSchemaAsync(db, ct);
        return db;
    }

    private async Task EnsureSchemaAsync(SqliteConnection db, CancellationToken ct)
    {
        await schemaLock.WaitAsync(ct);
        try
        {
            if (schemaReady)
                return;
            await using var command = db.CreateCommand();
            command.CommandText = """
                PRAGMA busy_timeout = 5000;
                CREATE TABLE IF NOT EXISTS security_users (
                    name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS security_api_tokens (
                    id TEXT PRIMARY KEY, user_name TEXT NOT NULL REFERENCES security_users(name), name TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, revoked_at TEXT);
                """;
            await command.ExecuteNonQueryAsync(ct);
            await EnsureProjectSchemaAsync(db, ct);
            await EnsureAgentSchemaAsync(db, ct);
            schemaReady = true;
        }
        finally
        {
            schemaLock.Release();
        }
    }

    private static string Text(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
