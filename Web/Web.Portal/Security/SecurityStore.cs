using System.Data.Common;
using System.Globalization;

namespace Caas.Web.Portal.Security;

/// <summary>
/// Users, API tokens, projects and agent credentials in tables of their own, kept by one SQL engine or another (SQLite
/// standalone, PostgreSQL in a cluster, so every host checks the same tokens and credentials). Passwords are kept as
/// PBKDF2 hashes and tokens and credentials as SHA-256 hashes, so a copy of the database lets nobody log in. The rules
/// and queries are here once; an engine supplies its connections, its schema and how it stores a time.
/// </summary>
public abstract partial class SecurityStore(SecurityOptions options, TimeProvider clock) : ISecurityStore
{
    private const int MinimumPasswordLength = 12;
    private readonly SecurityOptions options = options;
    private readonly TimeProvider clock = clock;
    private readonly SemaphoreSlim schemaLock = new(1, 1);
    private bool schemaReady;

    protected TimeProvider Clock => clock;

    /// <summary>An open connection to the engine's database.</summary>
    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken ct);

    /// <summary>Creates or migrates the tables; called once, before the first query.</summary>
    protected abstract Task CreateSchemaAsync(DbConnection db, CancellationToken ct);

    /// <summary>A time as the engine stores it.</summary>
    protected abstract object Time(DateTimeOffset at);

    /// <summary>The time stored in column <paramref name="ordinal"/>.</summary>
    protected abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    public async Task<int> CountUsersAsync(CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM security_users";
        return Count(await command.ExecuteScalarAsync(ct));
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
        command.CommandText = "INSERT INTO security_users (name, password_hash, role, created_at) VALUES (@name, @hash, @role, @at) ON CONFLICT (name) DO NOTHING";
        command.Set("@name", name);
        command.Set("@hash", PasswordHashing.Hash(password));
        command.Set("@role", role);
        command.Set("@at", Time(user.CreatedAt));
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
                users.Add(new UserAccount(reader.GetString(0), reader.GetString(1), ReadTime(reader, 2)) { Projects = projects });
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
        command.CommandText = "SELECT name, role, created_at, password_hash FROM security_users WHERE name = @name";
        command.Set("@name", name);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            return null;
        return PasswordHashing.Verify(password, reader.GetString(3))
            ? new UserAccount(reader.GetString(0), reader.GetString(1), ReadTime(reader, 2))
            : null;
    }

    public async Task ChangePasswordAsync(string name, string currentPassword, string newPassword, CancellationToken ct = default)
    {
        if (await VerifyPasswordAsync(name, currentPassword, ct) is null)
            throw new OperationRejectedException(RejectionKind.Invalid, "The current password is not right.");
        RequireAcceptablePassword(newPassword);
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = "UPDATE security_users SET password_hash = @hash WHERE name = @name";
        command.Set("@name", name);
        command.Set("@hash", PasswordHashing.Hash(newPassword));
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
            VALUES (@id, @user, @name, @hash, @created, @expires)
            """;
        command.Set("@id", token.Id);
        command.Set("@user", userName);
        command.Set("@name", token.Name);
        command.Set("@hash", ApiTokenSecret.Hash(secret));
        command.Set("@created", Time(token.CreatedAt));
        command.Set("@expires", Time(token.ExpiresAt));
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
            WHERE t.token_hash = @hash
            """;
        command.Set("@hash", ApiTokenSecret.Hash(secret));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            return new ApiTokenCheck(null, "The token is not known to this platform.");
        if (!reader.IsDBNull(4))
            return new ApiTokenCheck(null, "The token was revoked.");
        if (ReadTime(reader, 3) <= clock.GetUtcNow())
            return new ApiTokenCheck(null, "The token has expired.");
        return new ApiTokenCheck(new UserAccount(reader.GetString(0), reader.GetString(1), ReadTime(reader, 2)), null, reader.GetString(5));
    }

    public async Task<IReadOnlyList<ApiTokenInfo>> ListTokensAsync(string userName, CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT id, name, created_at, expires_at, revoked_at FROM security_api_tokens WHERE user_name = @user ORDER BY created_at DESC, id";
        command.Set("@user", userName);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var tokens = new List<ApiTokenInfo>();
        while (await reader.ReadAsync(ct))
            tokens.Add(new ApiTokenInfo(reader.GetString(0), reader.GetString(1), ReadTime(reader, 2), ReadTime(reader, 3),
                reader.IsDBNull(4) ? null : ReadTime(reader, 4)));
        return tokens;
    }

    /// <summary>Revokes one of the user's own tokens; a token of someone else counts as not found.</summary>
    public async Task RevokeTokenAsync(string userName, string tokenId, CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = "UPDATE security_api_tokens SET revoked_at = COALESCE(revoked_at, @at) WHERE id = @id AND user_name = @user";
        command.Set("@id", tokenId);
        command.Set("@user", userName);
        command.Set("@at", Time(clock.GetUtcNow()));
        if (await command.ExecuteNonQueryAsync(ct) == 0)
            throw new OperationRejectedException(RejectionKind.NotFound, $"You have no token with id '{tokenId}'.");
    }

    private static void RequireAcceptablePassword(string password)
    {
        if (password.Length < MinimumPasswordLength)
            throw new OperationRejectedException(RejectionKind.Invalid, $"A password has at least {MinimumPasswordLength} characters.");
    }

    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var db = await OpenConnectionAsync(ct);
        if (!schemaReady)
        {
            await schemaLock.WaitAsync(ct);
            try
            {
                if (!schemaReady)
                    await CreateSchemaAsync(db, ct);
                schemaReady = true;
            }
            catch
            {
                await db.DisposeAsync();
                throw;
            }
            finally
            {
                schemaLock.Release();
            }
        }
        return db;
    }

    private static int Count(object? scalar) => Convert.ToInt32(scalar, CultureInfo.InvariantCulture);
}
