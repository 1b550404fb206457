using Caas.Web.Portal.Components.Pages;
using Caas.Web.Portal.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Caas.Portal.Tests.Components;

/// <summary>The users page against a real store: admins add users with a role; others see neither list nor form.</summary>
[Trait("Category", "Component")]
public sealed class UsersTests : PortalTestContext
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("caas-users-");
    private readonly ISecurityStore store;

    public UsersTests()
    {
        store = new SqliteSecurityStore(Options.Create(new SecurityOptions { DatabasePath = Path.Combine(directory.FullName, "caas.db") }), Clock);
        Services.AddSingleton(store);
        store.CreateUserAsync("ada", "ada's admin password", CaasRoles.Admin).GetAwaiter().GetResult();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        if (directory.Exists)
            directory.Delete(recursive: true);
    }

    [Fact]
    public async Task An_admin_adds_an_operator_who_can_then_log_in()
    {
        LogInAs("ada", CaasRoles.Admin);
        var cut = Render<Users>();
        Assert.Equal(["ada"], cut.FindAll("[data-testid=user-row]").Select(r => r.GetAttribute("data-user")));

        cut.Find("[data-testid=field-user-name]").Change("otto");
        cut.Find("[data-testid=field-user-password]").Change("otto's own password");
        cut.Find("[data-testid=field-user-role]").Change(CaasRoles.Operator);
        cut.Find("[data-testid=user-form]").Submit();

        cut.WaitForAssertion(() => Assert.Equal("Added otto as operator.", cut.Find("[data-testid=user-notice]").TextContent));
        Assert.Equal(["ada", "otto"], cut.FindAll("[data-testid=user-row]").Select(r => r.GetAttribute("data-user")));
        Assert.Equal(CaasRoles.Operator, (await store.VerifyPasswordAsync("otto", "otto's own password"))?.Role);
    }

    [Fact]
    public async Task A_taken_name_is_refused_and_changes_nothing()
    {
        LogInAs("ada", CaasRoles.Admin);
        var cut = Render<Users>();

        cut.Find("[data-testid=field-user-name]").Change("ada");
        cut.Find("[data-testid=field-user-password]").Change("another long password");
        cut.Find("[data-testid=user-form]").Submit();

        cut.WaitForAssertion(() => Assert.Equal("There is already a user named 'ada'.", cut.Find("[data-testid=user-problem]").TextContent));
        Assert.NotNull(await store.VerifyPasswordAsync("ada", "ada's admin password"));
    }

    [Fact]
    public void An_operator_sees_no_users_and_no_form()
    {
        var cut = Render<Users>();

        Assert.Empty(cut.FindAll("[data-testid=user-row]"));
        Assert.Empty(cut.FindAll("[data-testid=user-form]"));
        Assert.Equal("Only admins manage users; your role may not.", cut.Find("[data-testid=users-not-allowed]").TextContent);
    }

    [Fact]
    public async Task An_admin_creates_a_project_puts_a_user_in_it_and_takes_them_out_and_each_change_is_audited()
    {
        LogInAs("ada", CaasRoles.Admin);
        await store.CreateUserAsync("otto", "otto's own password", CaasRoles.Operator);
        var cut = Render<Users>();

        cut.Find("[data-testid=field-project-name]").Change("climate");
        cut.Find("[data-testid=project-form]").Submit();
        cut.WaitForAssertion(() => Assert.Equal("Created project climate.", cut.Find("[data-testid=user-notice]").TextContent));
        cut.Find("[data-testid=field-member-user]").Change("otto");
        cut.Find("[data-testid=field-member-project]").Change("climate");
        cut.Find("[data-testid=add-member]").Click();

        cut.WaitForAssertion(() => Assert.Equal("otto is in climate.", cut.Find("[data-testid=user-notice]").TextContent));
        Assert.Equal("climate, default", cut.Find("[data-user=otto] [data-testid=user-projects]").TextContent);
        Assert.Equal(["climate", "default"], await store.ProjectsOfAsync("otto"));

        cut.Find("[data-testid=remove-member]").Click();
        cut.WaitForAssertion(() => Assert.Equal("Took otto out of climate.", cut.Find("[data-testid=user-notice]").TextContent));
        Assert.Equal(["default"], await store.ProjectsOfAsync("otto"));
        Assert.Equal([AuditActions.ProjectCreated, AuditActions.ProjectMemberAdded, AuditActions.ProjectMemberRemoved], Audit.Records.Select(r => r.Action));
        Assert.All(Audit.Records, r => Assert.Equal("ada", r.User));
    }

    [Fact]
    public void A_new_user_goes_into_the_projects_given_and_an_unknown_one_is_refused()
    {
        LogInAs("ada", CaasRoles.Admin);
        var cut = Render<Users>();

        cut.Find("[data-testid=field-user-name]").Change("otto");
        cut.Find("[data-testid=field-user-password]").Change("otto's own password");
        cut.Find("[data-testid=field-user-projects]").Change("default, nope");
        cut.Find("[data-testid=user-form]").Submit();

        cut.WaitForAssertion(() => Assert.Equal("There is no project named 'nope'; an admin creates it first (caas projects create nope).", cut.Find("[data-testid=user-problem]").TextContent));
        Assert.Equal(["ada"], cut.FindAll("[data-testid=user-row]").Select(r => r.GetAttribute("data-user")));
        Assert.Empty(Audit.Records);
    }
}
