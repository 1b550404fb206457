using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Caas.Portal.Tests.Api;
using Caas.Web.Portal.Security;

namespace Caas.Portal.Tests.Security;

/// <summary>
/// Every action lands in the audit trail with who, what and how it ended; GET /api/v1/audit pages and filters it for
/// admins; and no password or token secret reaches an audit record or the log.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AuditTrailTests : IAsyncLifetime
{
    private const string Job = "job-000000000a";
    private const string NewUserPassword = "a secret password 7f3c";
    private PortalApiHost host = null!;

    public async Task InitializeAsync()
    {
        host = await PortalApiHost.StartAsync();
        host.Platform.Jobs.Add(SampleJobs.Running(Job, "counter", 0.5, SampleJobs.Start) with { Checkpoints = [SampleJobs.Checkpoint(1, 0.25, SampleJobs.Start)] });
        host.Platform.Nodes.Add(new NodeStatus { NodeId = "node-a", Pool = "cloud-1", JobSlots = 4 });
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Each_action_is_recorded_with_who_what_and_outcome_and_no_secret_is_in_a_record_or_the_log()
    {
        using var browser = await host.LoggedInBrowserAsync();
        await Post(host.Client, "/api/v1/users", $$"""{"name":"vera","password":"{{NewUserPassword}}","role":"operator"}""");
        var tokenSecret = await CreateTokenWithPasswordAsync("vera", NewUserPassword);
        var vera = host.ClientWith(tokenSecret);
        await Post(vera, "/api/v1/jobs", """{"command":"/usr/bin/true"}""");
        await Post(vera, $"/api/v1/jobs/{Job}/checkpoint", "{}");
        await Post(vera, $"/api/v1/jobs/{Job}/kill", null);
        await Post(vera, $"/api/v1/jobs/{Job}/restore", "{}");
        await Post(vera, "/api/v1/nodes/node-a/drain", null);
        Assert.Equal(HttpStatusCode.Forbidden, (await vera.GetAsync("/api/v1/audit")).StatusCode);
        await Post(host.Client, "/api/v1/projects", """{"name":"blue"}""");
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.PutAsync("/api/v1/projects/blue/members/vera", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await vera.DeleteAsync("/api/v1/tokens/current")).StatusCode);

        var records = host.Audit.Records;
        Assert.Equal(
        [
            ("admin", AuditActions.Login, AuditOutcome.Succeeded),
            ("admin", AuditActions.UserCreated, AuditOutcome.Succeeded),
            ("vera", AuditActions.TokenCreated, AuditOutcome.Succeeded),
            ("vera", AuditActions.JobSubmitted, AuditOutcome.Succeeded),
            ("vera", AuditActions.JobCheckpointed, AuditOutcome.Succeeded),
            ("vera", AuditActions.JobKilled, AuditOutcome.Succeeded),
            ("vera", AuditActions.JobRestored, AuditOutcome.Succeeded),
            ("vera", AuditActions.NodeDrained, AuditOutcome.Succeeded),
            ("vera", AuditActions.AccessDenied, AuditOutcome.Refused),
            ("admin", AuditActions.ProjectCreated, AuditOutcome.Succeeded),
            ("admin", AuditActions.ProjectMemberAdded, AuditOutcome.Succeeded),
            ("vera", AuditActions.TokenRevoked, AuditOutcome.Succeeded),
        ], records.Where(r => r.User != AuditLog.Platform).Select(r => (r.User, r.Action, r.Outcome)));
        Assert.Equal($"{Job} checkpoint 2", records.Single(r => r.Action == AuditActions.JobCheckpointed).Target);
        Assert.Equal("GET /api/v1/audit", records.Single(r => r.Action == AuditActions.AccessDenied).Target);
        Assert.All(records, r => Assert.NotEqual(default, r.At));

        var everything = JsonSerializer.Serialize(records) + host.Log.Text;
        foreach (var secret in new[] { NewUserPassword, PortalApiHost.AdminPassword, tokenSecret, host.AdminToken })
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        Assert.Contains("audit: vera job.kill job-000000000a", host.Log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_login_is_recorded_as_refused_under_the_name_tried_without_the_password()
    {
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = host.Address };
        var form = await browser.GetStringAsync("/login");
        var antiforgery = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        var response = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(antiforgery), ["user"] = "admin", ["password"] = "guessed wrong 12345",
        }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var record = Assert.Single(host.Audit.Records, r => r.Action == AuditActions.Login);
        Assert.Equal(("admin", AuditOutcome.Refused, "wrong user name or password"), (record.User, record.Outcome, record.Reason));
        Assert.DoesNotContain("guessed wrong 12345", JsonSerializer.Serialize(host.Audit.Records) + host.Log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_API_pages_newest_first_and_filters_by_user_and_action()
    {
        await host.Store.CreateUserAsync("vera", NewUserPassword, CaasRoles.Operator);
        var vera = host.ClientWith(await host.CreateTokenAsync("vera"));
        await Post(vera, $"/api/v1/jobs/{Job}/checkpoint", "{}");
        await Post(vera, $"/api/v1/jobs/{Job}/kill", null);
        await Post(host.Client, "/api/v1/nodes/node-a/drain", null);

        using var all = await Get("/api/v1/audit?take=2");
        Assert.Equal([AuditActions.NodeDrained, AuditActions.JobKilled], Actions(all));
        Assert.True(all.RootElement.GetProperty("total").GetInt32() >= 3);
        using var ofVera = await Get("/api/v1/audit?user=vera");
        Assert.Equal([AuditActions.JobKilled, AuditActions.JobCheckpointed], Actions(ofVera));
        using var jobActions = await Get("/api/v1/audit?action=job.");
        Assert.Equal([AuditActions.JobKilled, AuditActions.JobCheckpointed], Actions(jobActions));
        using var kills = await Get("/api/v1/audit?action=job.kill&user=vera");
        Assert.Equal([AuditActions.JobKilled], Actions(kills));
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/api/v1/audit?take=0")).StatusCode);
    }

    private async Task<string> CreateTokenWithPasswordAsync(string user, string password)
    {
        using var client = host.ClientWith(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        var response = await Post(client, "/api/v1/tokens", """{"name":"script"}""");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("token").GetString()!;
    }

    private static async Task<HttpResponseMessage> Post(HttpClient client, string path, string? body)
    {
        var response = await client.PostAsync(path, body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    private async Task<JsonDocument> Get(string path)
    {
        var response = await host.Client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static List<string> Actions(JsonDocument page) =>
        page.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()!).ToList();
}
