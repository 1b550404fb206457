using System.Text;
using Caas.Web.Portal.Security;
using Microsoft.Data.Sqlite;

namespace Caas.Portal.Tests.Security;

/// <summary>The shared security store suite on a real SQLite file (the standalone platform's), plus what only this engine does.</summary>
[Trait("Category", "Component")]
public sealed class SqliteSecurityStoreTests : SecurityStoreConformanceTests
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("caas-security-");

    private string DatabasePath => Path.Combine(directory.FullName, "caas.db");

    protected override ISecurityStore Open(SecurityOptions options, TimeProvider clock)
    {
        options.DatabasePath = DatabasePath;
        return new SqliteSecurityStore(Microsoft.Extensions.Options.Options.Create(options), clock);
    }

    protected override async Task<string> StoredTextAsync()
    {
        SqliteConnection.ClearAllPools();
        return Encoding.UTF8.GetString(await File.ReadAllBytesAsync(DatabasePath));
    }

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        directory.Delete(recursive: true);
        return Task.CompletedTask;
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
    public async Task A_database_from_before_projects_puts_its_users_in_the_default_project()
    {
        await using (var old = new SqliteConnection($"Data Source={DatabasePath}"))
        {
            await old.OpenAsync();
            await using var command = old.CreateCommand();
            command.CommandText = """
                CREATE TABLE security_users (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL);
                INSERT INTO security_users VALUES ('ada', 'x', 'operator', '2026-01-01T00:00:00.0000000Z');
                """;
            await command.ExecuteNonQueryAsync();
        }

        Assert.Equal([JobProjects.Default], await Open(new SecurityOptions(), Clock).ProjectsOfAsync("ada"));
    }

    [Fact]
    public void A_store_without_a_database_path_is_refused_at_start()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => new SqliteSecurityStore(Microsoft.Extensions.Options.Options.Create(new SecurityOptions()), Clock));

        Assert.Equal("Caas:Security:DatabasePath is not set: access control needs a database for users and tokens.", refused.Message);
    }
}
