using Caas.Contracts.Bus;
using Caas.Web.Portal.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Security;

/// <summary>
/// What every <see cref="ISecurityStore"/> engine must do. An engine's test class says how to open a store on its
/// database; each <see cref="Open"/> is a store of its own, as a second web host or a silo would hold, on the same data.
/// </summary>
public abstract class SecurityStoreConformanceTests : IAsyncLifetime
{
    protected FakeTimeProvider Clock { get; } = new(SampleJobs.Start);

    /// <summary>A new store on the test's database, as another host would open it, reading time from <paramref name="clock"/>.</summary>
    protected abstract ISecurityStore Open(SecurityOptions options, TimeProvider clock);

    /// <summary>Everything the database holds, as text: where a secret must never appear.</summary>
    protected abstract Task<string> StoredTextAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public abstract Task DisposeAsync();

    private ISecurityStore Store(string? bootstrapPassword = null) => Open(new SecurityOptions { BootstrapAdminPassword = bootstrapPassword }, Clock);

    [Fact]
    public async Task The_database_holds_neither_tokens_nor_passwords_nor_agent_credentials_only_their_hashes()
    {
        var store = Store();
        await store.CreateUserAsync("ada", "correct horse battery", CaasRoles.Operator);
        var (token, secret) = await store.CreateTokenAsync("ada", "laptop", null);
        var (_, credential) = await store.EnrollAgentAsync("node-a");

        var stored = await StoredTextAsync();
        Assert.StartsWith("caas_", secret);
        Assert.Equal(5 + 43, secret.Length);
        Assert.DoesNotContain(secret["caas_".Length..], stored);
        Assert.DoesNotContain("correct horse battery", stored);
        Assert.DoesNotContain(credential[AgentMessages.CredentialPrefix.Length..], stored);
        Assert.Contains(ApiTokenSecret.Hash(secret), stored);
        Assert.Equal(SampleJobs.Start.AddDays(30), token.ExpiresAt);
        Assert.Equal("ada", (await store.CheckTokenAsync(secret)).User?.Name);
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
        Assert.Equal("The token is not known to this platform.", (await store.CheckTokenAsync(keptSecret + "x")).Problem);

        Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal("The token has expired.", (await store.CheckTokenAsync(keptSecret)).Problem);
        var listed = await store.ListTokensAsync("ada");
        Assert.Equal([("kept", (DateTimeOffset?)null), ("revoked", SampleJobs.Start)], listed.OrderBy(t => t.Name).Select(t => (t.Name, t.RevokedAt)));
        Assert.Equal(kept.ExpiresAt, listed.Single(t => t.Name == "kept").ExpiresAt);
    }

    [Fact]
    public async Task A_token_revoked_through_one_host_is_refused_by_another_and_expiry_holds_on_both()
    {
        var hostA = Store();
        var hostB = Store();
        await hostA.CreateUserAsync("ada", "correct horse battery", CaasRoles.Operator);
        var (revoked, revokedSecret) = await hostA.CreateTokenAsync("ada", "to revoke", null);
        var (_, shortSecret) = await hostA.CreateTokenAsync("ada", "short", TimeSpan.FromDays(1));
        Assert.Equal("ada", (await hostB.CheckTokenAsync(revokedSecret)).User?.Name);

        await hostA.RevokeTokenAsync("ada", revoked.Id);

        Assert.Equal("The token was revoked.", (await hostB.CheckTokenAsync(revokedSecret)).Problem);
        Assert.Equal("ada", (await hostB.CheckTokenAsync(shortSecret)).User?.Name);
        Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal("The token has expired.", (await hostB.CheckTokenAsync(shortSecret)).Problem);
        Assert.Equal("The token has expired.", (await hostA.CheckTokenAsync(shortSecret)).Problem);
    }

    [Fact]
    public async Task An_agent_enrolled_through_the_web_host_is_checked_by_a_silo_until_replaced_or_revoked()
    {
        var web = Store();
        var silo = Store();
        var (_, secret) = await web.EnrollAgentAsync("node-a");
        Assert.Null(await silo.CheckAsync("node-a", secret));

        var (_, replacement) = await web.EnrollAgentAsync("node-a");
        Assert.Equal("the credential is not node node-a's", await silo.CheckAsync("node-a", secret));
        Assert.Null(await silo.CheckAsync("node-a", replacement));

        await web.RevokeAgentAsync("node-a");
        Assert.Equal("the credential of node node-a was revoked", await silo.CheckAsync("node-a", replacement));
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
    public async Task A_second_user_of_the_same_name_is_refused_and_the_first_keeps_its_password()
    {
        var store = Store();
        await store.CreateUserAsync("ada", "correct horse battery", CaasRoles.Viewer);

        var refused = await Assert.ThrowsAsync<OperationRejectedException>(() => Store().CreateUserAsync("ada", "another good password", CaasRoles.Admin));

        Assert.Equal(RejectionKind.Conflict, refused.Kind);
        Assert.Equal(CaasRoles.Viewer, (await store.VerifyPasswordAsync("ada", "correct horse battery"))?.Role);
        Assert.Equal(1, await store.CountUsersAsync());
    }

    [Fact]
    public async Task The_first_start_creates_admin_with_a_random_password_and_the_second_start_creates_nothing()
    {
        var first = new AdministratorBootstrap(Store(), Microsoft.Extensions.Options.Options.Create(new SecurityOptions()), Audit());
        await first.StartingAsync(CancellationToken.None);

        Assert.NotNull(first.GeneratedPassword);
        Assert.True(first.GeneratedPassword.Length >= 20);
        var admin = await Store().VerifyPasswordAsync("admin", first.GeneratedPassword);
        Assert.Equal(CaasRoles.Admin, admin?.Role);

        var second = new AdministratorBootstrap(Store(), Microsoft.Extensions.Options.Options.Create(new SecurityOptions()), Audit());
        await second.StartingAsync(CancellationToken.None);

        Assert.Null(second.GeneratedPassword);
        Assert.Equal(["admin"], (await Store().ListUsersAsync()).Select(u => u.Name));
        Assert.NotNull(await Store().VerifyPasswordAsync("admin", first.GeneratedPassword));
    }

    [Fact]
    public async Task Two_hosts_starting_at_once_on_one_store_make_one_admin_and_both_start()
    {
        var settings = Microsoft.Extensions.Options.Options.Create(new SecurityOptions { BootstrapAdminPassword = "configured for automation" });
        var hosts = Enumerable.Range(0, 4).Select(_ => new AdministratorBootstrap(Store(), settings, Audit())).ToArray();

        await Task.WhenAll(hosts.Select(h => h.StartingAsync(CancellationToken.None)));

        Assert.Equal(["admin"], (await Store().ListUsersAsync()).Select(u => u.Name));
        Assert.Equal(CaasRoles.Admin, (await Store().VerifyPasswordAsync("admin", "configured for automation"))?.Role);
    }

    [Fact]
    public async Task A_configured_bootstrap_password_is_used_and_not_handed_out_for_printing()
    {
        var settings = new SecurityOptions { BootstrapAdminPassword = "configured for automation" };
        var bootstrap = new AdministratorBootstrap(Store(), Microsoft.Extensions.Options.Options.Create(settings), Audit());
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

        Assert.Null(await Store().VerifyPasswordAsync("ada", "correct horse battery"));
        Assert.NotNull(await Store().VerifyPasswordAsync("ada", "a brand new password"));
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
        Assert.Null(await store.VerifyPasswordAsync("eve", "correct horse battery"));
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
    public async Task An_agent_credential_checks_only_for_its_node_until_replaced_or_revoked()
    {
        var store = Store();
        var (enrollment, secret) = await store.EnrollAgentAsync("node-a");

        Assert.StartsWith(AgentMessages.CredentialPrefix, secret);
        Assert.Equal("node-a", enrollment.NodeId);
        Assert.Null(await store.CheckAsync("node-a", secret));
        Assert.Equal("node node-b is not enrolled (an admin enrolls it with: caas nodes enroll node-b)", await store.CheckAsync("node-b", secret));
        Assert.Equal("the credential is not node node-a's", await store.CheckAsync("node-a", secret + "x"));

        Clock.Advance(TimeSpan.FromMinutes(1));
        await store.RevokeAgentAsync("node-a");
        Assert.Equal("the credential of node node-a was revoked", await store.CheckAsync("node-a", secret));
        var listed = Assert.Single(await store.ListAgentsAsync());
        Assert.Equal((SampleJobs.Start, SampleJobs.Start.AddMinutes(1)), (listed.EnrolledAt, listed.RevokedAt!.Value));
        Assert.Equal(RejectionKind.NotFound, (await Assert.ThrowsAsync<OperationRejectedException>(() => store.RevokeAgentAsync("node-z"))).Kind);
        Assert.Equal(RejectionKind.Invalid, (await Assert.ThrowsAsync<OperationRejectedException>(() => store.EnrollAgentAsync("bad node"))).Kind);
        Assert.Equal(["node-a"], (await store.ListAgentsAsync()).Select(a => a.NodeId));
    }

    private AuditLog Audit() => new(new FakeAuditTrail(), NullLogger<AuditLog>.Instance, Clock);
}
