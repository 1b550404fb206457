using System.Text;
using Caas.Contracts.Bus;
using Caas.Web.Portal.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Security;

/// <summary>Projects, memberships and agent credentials in the users store, on a real SQLite file.</summary>
[Trait("Category", "Component")]
public sealed class ProjectAndAgentStoreTests : IDisposable
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("caas-security-");
    private readonly FakeTimeProvider clock = new(SampleJobs.Start);

    private string DatabasePath => Path.Combine(directory.FullName, "caas.db");

    private SecurityStore Store() => new(Microsoft.Extensions.Options.Options.Create(new SecurityOptions { DatabasePath = DatabasePath }), clock);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        directory.Delete(recursive: true);
    }

    [Fact]
    public async Task A_new_user_is_in_the_default_project_unless_given_others_that_exist()
    {
        var store = Store();
        await store.CreateProjectAsync("climate");
        await store.CreateUserAsync("ada", "correct horse battery", CaasRoles.Operator);
        await store.CreateUserAsync("bob", "correct horse battery", CaasRoles.Viewer, ["climate", JobProjects.Default]);

        var refused = await Assert.ThrowsAsync<OperationRejectedException>(() => store.CreateUserAsync("eve", "correct horse battery", CaasRoles.Viewer, ["nope"]));

        Assert.Equal("There is no project named 'nope'; an admin creates it first (caas projects create nope).", refused.Message);
        Assert.Equal([JobProjects.Default], await store.ProjectsOfAsync("ada"));
        Assert.Equal(["climate", JobProjects.Default], await store.ProjectsOfAsync("bob"));
        Assert.Equal(["ada", "bob"], (await store.ListUsersAsync()).Select(u => u.Name));
        Assert.Equal([["default"], ["climate", "default"]], (await store.ListUsersAsync()).Select(u => u.Projects));
    }

    [Fact]
    public async Task Members_are_added_and_removed_and_bad_names_change_nothing()
    {
        var store = Store();
        await store.CreateUserAsync("ada", "correct horse battery", CaasRoles.Operator);
        await store.CreateProjectAsync("climate");

        Assert.True(await store.AddMemberAsync("climate", "ada"));
        Assert.False(await store.AddMemberAsync("climate", "ada"));
        Assert.Equal(["ada"], (await store.ListProjectsAsync()).Single(p => p.Name == "climate").Members);
        await store.RemoveMemberAsync("climate", "ada");
        Assert.Empty((await store.ListProjectsAsync()).Single(p => p.Name == "climate").Members);

        Assert.Equal(RejectionKind.Invalid, (await Assert.ThrowsAsync<OperationRejectedException>(() => store.CreateProjectAsync("Has Spaces"))).Kind);
        Assert.Equal(RejectionKind.Conflict, (await Assert.ThrowsAsync<OperationRejectedException>(() => store.CreateProjectAsync("climate"))).Kind);
        Assert.Equal(RejectionKind.NotFound, (await Assert.ThrowsAsync<OperationRejectedException>(() => store.AddMemberAsync("climate", "nobody"))).Kind);
        Assert.Equal(RejectionKind.Invalid, (await Assert.ThrowsAsync<OperationRejectedException>(() => store.AddMemberAsync("nope", "ada"))).Kind);
        Assert.Equal(RejectionKind.NotFound, (await Assert.ThrowsAsync<OperationRejectedException>(() => store.RemoveMemberAsync("climate", "ada"))).Kind);
        Assert.Equal(["climate", JobProjects.Default], (await store.ListProjectsAsync()).Select(p => p.Name));
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

        Assert.Equal([JobProjects.Default], await Store().ProjectsOfAsync("ada"));
    }

    [Fact]
    public async Task An_agent_credential_checks_only_for_its_node_until_replaced_or_revoked_and_only_its_hash_is_kept()
    {
        var store = Store();
        var (enrollment, secret) = await store.EnrollAgentAsync("node-a");

        Assert.StartsWith(AgentMessages.CredentialPrefix, secret);
        Assert.Equal("node-a", enrollment.NodeId);
        Assert.Null(await store.CheckAsync("node-a", secret));
        Assert.Equal("node node-b is not enrolled (an admin enrolls it with: caas nodes enroll node-b)", await store.CheckAsync("node-b", secret));
        Assert.Equal("the credential is not node node-a's", await store.CheckAsync("node-a", secret + "x"));

        var (_, replacement) = await store.EnrollAgentAsync("node-a");
        Assert.Equal("the credential is not node node-a's", await store.CheckAsync("node-a", secret));
        Assert.Null(await store.CheckAsync("node-a", replacement));

        await store.RevokeAgentAsync("node-a");
        Assert.Equal("the credential of node node-a was revoked", await store.CheckAsync("node-a", replacement));
        Assert.NotNull(Assert.Single(await store.ListAgentsAsync()).RevokedAt);
        Assert.Equal(RejectionKind.NotFound, (await Assert.ThrowsAsync<OperationRejectedException>(() => store.RevokeAgentAsync("node-z"))).Kind);
        Assert.Equal(RejectionKind.Invalid, (await Assert.ThrowsAsync<OperationRejectedException>(() => store.EnrollAgentAsync("bad node"))).Kind);

        SqliteConnection.ClearAllPools();
        var bytes = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(DatabasePath));
        Assert.DoesNotContain(secret[AgentMessages.CredentialPrefix.Length..], bytes);
        Assert.DoesNotContain(replacement[AgentMessages.CredentialPrefix.Length..], bytes);
    }
}
