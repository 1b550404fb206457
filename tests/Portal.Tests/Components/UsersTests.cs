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
    private readonly SecurityStore store;

    public UsersTests()
    {
        store = new SecurityStore(Options.Create(new SecurityOptions { DatabasePath = Path.Combine(directory.FullName, "caas.db") }), Clock);
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
}
