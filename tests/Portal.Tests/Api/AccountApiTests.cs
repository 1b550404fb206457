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
}
