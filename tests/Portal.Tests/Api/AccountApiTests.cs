using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Caas.Web.Portal.Security;

namespace Caas.Portal.Tests.Api;

/// <summary>POST /api/v1/account/password: what the Account page does, for scripts (the 401 is in ApiAccessTests).</summary>
[Trait("Category", "Integration")]
public sealed class AccountApiTests : IAsyncLifetime
{
    private PortalApiHost host = null!;

    public async Task InitializeAsync() => host = await PortalApiHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_viewer_changes_their_own_password_with_the_current_one_and_it_is_audited()
    {
        var token = await host.CreateUserWithTokenAsync("vera", CaasRoles.Viewer);

        var response = await host.ClientWith(token).PostAsJsonAsync("/api/v1/account/password",
            new { currentPassword = "vera password for tests", newPassword = "vera's new long password" });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.NotNull(await host.Store.VerifyPasswordAsync("vera", "vera's new long password"));
        Assert.Null(await host.Store.VerifyPasswordAsync("vera", "vera password for tests"));
        Assert.Contains(host.Audit.Records, r => r.Action == AuditActions.PasswordChanged && r.User == "vera" && r.Target == "vera");
        // The admin's password is not touched by another user's change.
        Assert.NotNull(await host.Store.VerifyPasswordAsync("admin", PortalApiHost.AdminPassword));
    }

    [Theory]
    [InlineData("""{"currentPassword":"wrong","newPassword":"a new long password"}""", "The current password is not right.")]
    [InlineData("""{"currentPassword":"admin password for tests","newPassword":"short"}""", "12")]
    [InlineData("""{"currentPassword":"admin password for tests","newPassword":"a new long password","role":"admin"}""", "role")]
    [InlineData("", "body")]
    public async Task A_wrong_current_password_or_a_bad_new_one_is_a_400_problem_and_changes_nothing(string body, string says)
    {
        var response = await host.Client.PostAsync("/api/v1/account/password", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(says, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.NotNull(await host.Store.VerifyPasswordAsync("admin", PortalApiHost.AdminPassword));
        Assert.DoesNotContain(host.Audit.Records, r => r.Action == AuditActions.PasswordChanged && r.Outcome == AuditOutcome.Succeeded);
    }

    [Fact]
    public async Task Ten_wrong_current_passwords_stop_further_changes_of_that_account_with_a_429_and_Retry_After_even_with_the_right_one()
    {
        for (var i = 0; i < PasswordGuessLimiter.FailuresPerUser; i++)
            Assert.Equal(HttpStatusCode.BadRequest, (await ChangeAsync(host.Client, $"guess {i}", "a new long password")).StatusCode);

        var refused = await ChangeAsync(host.Client, PortalApiHost.AdminPassword, "a new long password");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single()), 1, (int)PasswordGuessLimiter.Window.TotalSeconds);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Matches(@"^Too many wrong passwords for this account\. Try again in \d+ s\.$", problem.RootElement.GetProperty("detail").GetString());
        Assert.NotNull(await host.Store.VerifyPasswordAsync("admin", PortalApiHost.AdminPassword));
        Assert.Contains(host.Audit.Records, r => r.Action == AuditActions.PasswordChanged && r.User == "admin" && r.Outcome == AuditOutcome.Refused
            && r.Reason!.StartsWith("Too many wrong passwords", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Audit.Records, r => r.Action == AuditActions.PasswordChanged && r.Outcome == AuditOutcome.Succeeded);
        // Counted per account: another user on the same address is not held back by the admin's guesses.
        var vera = host.ClientWith(await host.CreateUserWithTokenAsync("vera", CaasRoles.Viewer));
        Assert.Equal(HttpStatusCode.NoContent, (await ChangeAsync(vera, "vera password for tests", "vera's new long password")).StatusCode);
    }

    private static Task<HttpResponseMessage> ChangeAsync(HttpClient client, string current, string next) =>
        client.PostAsJsonAsync("/api/v1/account/password", new { currentPassword = current, newPassword = next });
}
