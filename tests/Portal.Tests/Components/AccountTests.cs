using Caas.Web.Portal.Components.Pages;
using Caas.Web.Portal.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Caas.Portal.Tests.Components;

/// <summary>The account page against a real users and tokens store in a temporary SQLite file.</summary>
[Trait("Category", "Component")]
public sealed class AccountTests : PortalTestContext
{
    private const string Password = "olga's first password";
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("caas-account-");
    private readonly ISecurityStore store;

    public AccountTests()
    {
        store = new SqliteSecurityStore(Options.Create(new SecurityOptions { DatabasePath = Path.Combine(directory.FullName, "caas.db") }), Clock);
        Services.AddSingleton(store);
        Services.AddSingleton(new PasswordGuessLimiter(Clock));
        Services.AddSingleton<PasswordChanges>();
        store.CreateUserAsync("olga", Password, CaasRoles.Operator).GetAwaiter().GetResult();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        if (directory.Exists)
            directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Changing_the_password_takes_the_current_one_and_refuses_a_wrong_one()
    {
        var cut = Render<Account>();
        Assert.Equal("olga", cut.Find("[data-testid=account-user]").TextContent);
        Assert.Equal("operator", cut.Find("[data-testid=account-role]").TextContent);

        cut.Find("[data-testid=field-current-password]").Change("not my password");
        cut.Find("[data-testid=field-new-password]").Change("olga's second password");
        cut.Find("[data-testid=password-form]").Submit();
        cut.WaitForAssertion(() => Assert.Equal("The current password is not right.", cut.Find("[data-testid=password-problem]").TextContent));
        Assert.NotNull(await store.VerifyPasswordAsync("olga", Password));

        cut.Find("[data-testid=field-current-password]").Change(Password);
        cut.Find("[data-testid=field-new-password]").Change("olga's second password");
        cut.Find("[data-testid=password-form]").Submit();
        cut.WaitForAssertion(() => Assert.Equal("Password changed.", cut.Find("[data-testid=password-notice]").TextContent));
        Assert.Null(await store.VerifyPasswordAsync("olga", Password));
        Assert.NotNull(await store.VerifyPasswordAsync("olga", "olga's second password"));
    }

    [Fact]
    public async Task Ten_wrong_current_passwords_hold_back_the_next_change_with_a_message_that_says_how_long_until_the_oldest_leaves_the_window()
    {
        var cut = Render<Account>();
        for (var i = 0; i < PasswordGuessLimiter.FailuresPerUser; i++)
        {
            ChangePassword(cut, $"guess {i}", "olga's second password");
            cut.WaitForAssertion(() => Assert.Equal("The current password is not right.", cut.Find("[data-testid=password-problem]").TextContent));
            cut.WaitForAssertion(() => Assert.Null(cut.Find("[data-testid=change-password]").GetAttribute("disabled")));
            Clock.Advance(TimeSpan.FromSeconds(10));
        }

        ChangePassword(cut, Password, "olga's second password");

        cut.WaitForAssertion(() => Assert.Equal("Too many wrong passwords for this account. Try again in 200 s.", cut.Find("[data-testid=password-problem]").TextContent));
        Assert.NotNull(await store.VerifyPasswordAsync("olga", Password));
        Assert.Contains(Audit.Records, r => r.Action == AuditActions.PasswordChanged && r.User == "olga" && r.Outcome == AuditOutcome.Refused
            && r.Reason == "Too many wrong passwords for this account. Try again in 200 s.");

        // Once the oldest wrong guess is five minutes old, one more try is allowed, and the right password goes through.
        Clock.Advance(TimeSpan.FromSeconds(200));
        ChangePassword(cut, Password, "olga's second password");
        cut.WaitForAssertion(() => Assert.Equal("Password changed.", cut.Find("[data-testid=password-notice]").TextContent));
        Assert.NotNull(await store.VerifyPasswordAsync("olga", "olga's second password"));
    }

    private static void ChangePassword(IRenderedComponent<Account> cut, string current, string next)
    {
        cut.Find("[data-testid=field-current-password]").Change(current);
        cut.Find("[data-testid=field-new-password]").Change(next);
        cut.Find("[data-testid=password-form]").Submit();
    }

    [Fact]
    public async Task A_token_created_here_is_shown_once_listed_and_revocable()
    {
        var cut = Render<Account>();
        Assert.Equal("You have no API tokens.", cut.Find("[data-testid=no-tokens]").TextContent);

        cut.Find("[data-testid=field-token-name]").Change("report script");
        cut.Find("[data-testid=field-token-days]").Change("7");
        cut.Find("[data-testid=create-token]").Closest("form")!.Submit();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=token-row]")));
        var secret = cut.Find("[data-testid=new-token-secret]").TextContent;
        Assert.Equal("olga", (await store.CheckTokenAsync(secret)).User?.Name);
        var token = Assert.Single(await store.ListTokensAsync("olga"));
        Assert.Equal(("report script", Clock.GetUtcNow().AddDays(7)), (token.Name, token.ExpiresAt));
        Assert.Equal("active", cut.Find("[data-testid=token-state]").TextContent);

        cut.Find("[data-testid=revoke-token]").Click();

        cut.WaitForAssertion(() => Assert.Equal("revoked", cut.Find("[data-testid=token-state]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=new-token]"));
        Assert.Equal("The token was revoked.", (await store.CheckTokenAsync(secret)).Problem);
    }

    [Fact]
    public async Task A_token_without_a_name_is_refused_and_none_is_created()
    {
        var cut = Render<Account>();

        cut.Find("[data-testid=create-token]").Closest("form")!.Submit();

        cut.WaitForAssertion(() => Assert.Equal("A token needs a name of 1 to 100 characters that says what it is for.", cut.Find("[data-testid=token-problem]").TextContent));
        Assert.Empty(await store.ListTokensAsync("olga"));
    }
}
