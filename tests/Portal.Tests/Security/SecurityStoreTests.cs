using System.Text;
using Caas.Web.Portal.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Security;

/// <summary>The users and tokens store on a real SQLite file: what it keeps, and what it never keeps.</summary>
[Trait("Category", "Component")]
public sealed class SecurityStoreTests : IDisposable
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("caas-security-");
    private readonly FakeTimeProvider clock = new(SampleJobs.Start);

    private string DatabasePath => Path.Combine(directory.FullName, "caas.db");

    private SecurityOptions Settings(string? bootstrapPassword = null) => new() { DatabasePath = DatabasePath, BootstrapAdminPassword = bootstrapPassword };

    private SecurityStore Store() => new(Microsoft.Extensions.Options.Options.Create(Settings()), clock);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        directory.Delete(recursive: true);
    }

    [Fact]
    public async Task The_database_holds_neither_the_token_nor_the_password_only_their_hashes()
    {
        var store = Store();
        await store.CreateUserAsync("ada", "correct horse battery", CaasRoles.Operator);
        var (token, secret) = await store.CreateTokenAsync("ada", "laptop", null);
        SqliteConnection.ClearAllPools();

        var bytes = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(DatabasePath));
        Assert.StartsWith("caas_", secret);
        Assert.Equal(5 + 43, secret.Length);
        Assert.DoesNotContain(secret, bytes);
        Assert.DoesNotContain(secret["caas_".Length..], bytes);
        Assert.DoesNotContain("correct horse battery", bytes);
        Assert.Contains(ApiTokenSecret.Hash(secret), bytes);
        Assert.Equal(SampleJobs.Start.AddDays(30), token.ExpiresAt);
        Assert.Equal("ada", (await store.CheckTokenAsync(secret)).User?.Name);
    }

    [Fact]
    public void Passwords_are_PBKDF2_SHA256_with_a_salt_of_their_own()
    {
        var first = PasswordHashing.Hash("same password here");
        var second = PasswordHashing.Hash("same password here");

        Assert.StartsWith($"pbkdf2-sha256${PasswordHashing.Iterations}$", first);
        Assert.True(PasswordHashing.Iterations >= 100_000);
        Assert.NotEqual(first, second);
        Assert.True(PasswordHashing.Verify("same password here", first));
        Assert.False(PasswordHashing.Verify("same password hera", first));
    }

    [Fact]
    public async Task A_token_stops_working_when_it_expires_or_is_revoked()
    {
        var store = Store();
        await store.CreateUserAsync("ada", "correct horse battery", CaasRoles.Viewer);
        var (kept, keptSecret) = await store.CreateTokenAsync("ada", "kept", TimeSpan.FromDays(2));
        var (revoked, revokedSecret) = await store.CreateTokenAsync("ada", "revoked", null);

        await store.RevokeTokenAsync("ada", revoked.Id);
        Assert.Equal("The token was revoked.", (await store.CheckTokenAsync(revokedSecret)).Problem);
        Assert.Equal("ada", (await store.CheckTokenAsync(keptSecret)).User?.Name);

        clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal("The token has expired.", (await store.CheckTokenAsync(keptSecret)).Problem);
        var listed = await store.ListTokensAsync("ada");
        Assert.Equal([("kept", (DateTimeOffset?)null), ("revoked", SampleJobs.Start)], listed.OrderBy(t => t.Name).Select(t => (t.Name, t.RevokedAt)));
        Assert.Equal(kept.ExpiresAt, listed.Single(t => t.Name == "kept").ExpiresAt);
    }

    [Fact]
    public async Task Nobody_revokes_someone_elses_token()
    {
        var store = Store();
        await store.CreateUserAsync("ada", "correct horse battery", CaasRoles.Admin);
        await store.CreateUserAsync("bob", "another good password", CaasRoles.Viewer);
        var (token, secret) = await store.CreateTokenAsync("ada", "ada's", null);

        var refused = await Assert.ThrowsAsync<OperationRejectedException>(() => store.RevokeTokenAsync("bob", token.Id));

        Assert.Equal(RejectionKind.NotFound, refused.Kind);
        Assert.Equal($"You have no token with id '{token.Id}'.", refused.Message);
        Assert.Equal("ada", (await store.CheckTokenAsync(secret)).User?.Name);
    }

    [Theory]
    [InlineData("", "long enough password", "viewer", "A user name is 1 to 64 letters, digits, '.', '-' or '_'.")]
    [InlineData("a b", "long enough password", "viewer", "A user name is 1 to 64 letters, digits, '.', '-' or '_'.")]
    [InlineData("ada", "short", "viewer", "A password has at least 12 characters.")]
    [InlineData("ada", "long enough password", "root", "Unknown role 'root'; the roles are viewer, operator, admin.")]
    public async Task Bad_users_are_refused_and_nothing_is_stored(string name, string password, string role, string message)
    {
        var store = Store();

        var refused = await Assert.ThrowsAsync<OperationRejectedException>(() => store.CreateUserAsync(name, password, role));

        Assert.Equal(message, refused.Message);
        Assert.Empty(await store.ListUsersAsync());
    }

    [Fact]
    public async Task The_first_start_creates_admin_with_a_random_password_and_the_second_start_creates_nothing()
    {
        var first = new AdministratorBootstrap(Store(), Microsoft.Extensions.Options.Options.Create(Settings()), Audit());
        await first.StartingAsync(CancellationToken.None);

        Assert.NotNull(first.GeneratedPassword);
        Assert.True(first.GeneratedPassword.Length >= 20);
        var admin = await Store().VerifyPasswordAsync("admin", first.GeneratedPassword);
        Assert.Equal(CaasRoles.Admin, admin?.Role);

        var second = new AdministratorBootstrap(Store(), Microsoft.Extensions.Options.Options.Create(Settings()), Audit());
        await second.StartingAsync(CancellationToken.None);

        Assert.Null(second.GeneratedPassword);
        Assert.Equal(["admin"], (await Store().ListUsersAsync()).Select(u => u.Name));
        Assert.NotNull(await Store().VerifyPasswordAsync("admin", first.GeneratedPassword));
    }

    [Fact]
    public async Task A_configured_bootstrap_password_is_used_and_not_handed_out_for_printing()
    {
        var bootstrap = new AdministratorBootstrap(Store(), Microsoft.Extensions.Options.Options.Create(Settings("configured for automation")), Audit());
        await bootstrap.StartingAsync(CancellationToken.None);

        Assert.Null(bootstrap.GeneratedPassword);
        Assert.Equal(CaasRoles.Admin, (await Store().VerifyPasswordAsync("admin", "configured for automation"))?.Role);
    }

    [Fact]
    public async Task Changing_a_password_needs_the_current_one()
    {
        var store = Store();
        await store.CreateUserAsync("ada", "correct horse battery", CaasRoles.Viewer);

        var refused = await Assert.ThrowsAsync<OperationRejectedException>(() => store.ChangePasswordAsync("ada", "wrong password!!", "a brand new password"));
        Assert.Equal("The current password is not right.", refused.Message);
        await store.ChangePasswordAsync("ada", "correct horse battery", "a brand new password");

        Assert.Null(await store.VerifyPasswordAsync("ada", "correct horse battery"));
        Assert.NotNull(await store.VerifyPasswordAsync("ada", "a brand new password"));
    }

    private AuditLog Audit() => new(new FakeAuditTrail(), NullLogger<AuditLog>.Instance, clock);
}
