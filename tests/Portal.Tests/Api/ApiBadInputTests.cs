using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Portal.Tests.Api;

/// <summary>
/// Every API route, table-driven: one bad request each (a malformed body, a bad query value, an id that names nothing)
/// is answered with a 400 or 404 problem that says what is wrong, as an admin (so no role check hides it), and
/// changes nothing. Routes that take no input at all are listed as such, so a new route must be placed in the table.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ApiBadInputTests(ApiBadInputTests.Host fixture) : IClassFixture<ApiBadInputTests.Host>
{
    private const string Job = "job-000000000a";
    private const string Malformed = "{\"comment\": ";
    private const int NoInput = 0;

    /// <summary>Method ("*" for the fallback), route pattern, a bad request's path and body, the status and words of its refusal (NoInput: the route takes none).</summary>
    public static readonly (string Method, string Pattern, string Path, string? Body, int Status, string Says)[] Routes =
    [
        .. Versioned("/api/v1"),
        .. Versioned("/api"),
        ("GET", "/api/v1/users", "", null, NoInput, ""),
        ("POST", "/api/v1/users", "/api/v1/users", """{"name":"x","password":"short","role":"viewer"}""", 400, "password"),
        ("GET", "/api/v1/projects", "", null, NoInput, ""),
        ("POST", "/api/v1/projects", "/api/v1/projects", Malformed, 400, "JSON"),
        ("PUT", "/api/v1/projects/{project}/members/{user}", "/api/v1/projects/no-such-project/members/admin", null, 400, "There is no project named 'no-such-project'"),
        ("DELETE", "/api/v1/projects/{project}/members/{user}", "/api/v1/projects/default/members/nobody", null, 404, "nobody"),
        ("GET", "/api/v1/audit", "/api/v1/audit?take=0", null, 400, "'take' must be between"),
        ("POST", "/api/v1/account/password", "/api/v1/account/password", """{"currentPassword":"not it","newPassword":"a new long password"}""", 400, "The current password is not right"),
        ("GET", "/api/v1/tokens", "", null, NoInput, ""),
        ("POST", "/api/v1/tokens", "/api/v1/tokens", Malformed, 400, "JSON"),
        ("DELETE", "/api/v1/tokens/{id}", "/api/v1/tokens/tok-000000000000", null, 404, "tok-000000000000"),
        ("GET", "/api/v1/checkpoints", "/api/v1/checkpoints?status=shiny", null, 400, "'status' must be one of"),
        ("GET", "/api/v1/jobs/{id}/checkpoints", $"/api/v1/jobs/{Job}/checkpoints?skip=-1", null, 400, "'skip' must be 0 or more"),
        ("POST", "/api/v1/jobs/{id}/checkpoints/{sequence}/verify", $"/api/v1/jobs/{Job}/checkpoints/first/verify", null, 400, "sequence must be a whole number"),
        ("DELETE", "/api/v1/jobs/{id}/checkpoints/{sequence}", $"/api/v1/jobs/{Job}/checkpoints/0", null, 400, "sequence must be a whole number"),
        ("GET", "/api/v1/projections", "", null, NoInput, ""),
        ("POST", "/api/v1/projections/rebuild", "", null, NoInput, ""),
        ("POST", "/api/v1/projections/{name}/rebuild", "/api/v1/projections/no-such-model/rebuild", null, 404, "no-such-model"),
    ];

    private static IEnumerable<(string, string, string, string?, int, string)> Versioned(string prefix) =>
    [
        ("GET", $"{prefix}/jobs", $"{prefix}/jobs?sort=colour", null, 400, "'sort' must be one of"),
        ("POST", $"{prefix}/jobs", $"{prefix}/jobs", """{"command":"  "}""", 400, "'command' is empty"),
        ("GET", $"{prefix}/jobs/{{id}}", $"{prefix}/jobs/job-00000000ff", null, 404, "No job has id 'job-00000000ff'"),
        ("GET", $"{prefix}/jobs/{{id}}/events", $"{prefix}/jobs/{Job}/events?take=100000", null, 400, "'take' must be between"),
        ("GET", $"{prefix}/jobs/{{id}}/incidents", $"{prefix}/jobs/not-a-job/incidents", null, 404, "job ids look like"),
        ("GET", $"{prefix}/incidents", $"{prefix}/incidents?take=101", null, 400, "'take' must be between 1 and 100"),
        ("POST", $"{prefix}/jobs/{{id}}/checkpoint", $"{prefix}/jobs/{Job}/checkpoint", Malformed, 400, "JSON"),
        ("POST", $"{prefix}/jobs/{{id}}/kill", $"{prefix}/jobs/job-00000000ff/kill", null, 404, "No job has id"),
        ("GET", $"{prefix}/jobs/{{id}}/samples", $"{prefix}/jobs/{Job}/samples?take=many", null, 400, "'take' must be a whole number"),
        ("GET", $"{prefix}/jobs/{{id}}/logs", $"{prefix}/jobs/{Job}/logs?stream=both", null, 400, "'stream' must be one of"),
        ("POST", $"{prefix}/jobs/{{id}}/suspend", $"{prefix}/jobs/job-00000000ff/suspend", null, 404, "No job has id"),
        ("POST", $"{prefix}/jobs/{{id}}/resume", $"{prefix}/jobs/job-00000000ff/resume", null, 404, "No job has id"),
        ("POST", $"{prefix}/jobs/{{id}}/migrate", $"{prefix}/jobs/{Job}/migrate", "{}", 400, "node"),
        ("POST", $"{prefix}/jobs/{{id}}/restore", $"{prefix}/jobs/{Job}/restore", Malformed, 400, "JSON"),
        ("GET", $"{prefix}/alerts", $"{prefix}/alerts?includeResolved=maybe", null, 400, "'includeResolved' must be true or false"),
        ("GET", $"{prefix}/alerts/{{id}}", $"{prefix}/alerts/failed-job-00000000ff", null, 404, "No alert has id"),
        ("GET", $"{prefix}/jobs/{{id}}/alerts", $"{prefix}/jobs/{Job}/alerts?take=0", null, 400, "'take' must be between"),
        ("POST", $"{prefix}/alerts/{{id}}/ack", $"{prefix}/alerts/failed-{Job}/ack", Malformed, 400, "JSON"),
        ("GET", $"{prefix}/silences", $"{prefix}/silences?includeExpired=sometimes", null, 400, "'includeExpired' must be true or false"),
        ("POST", $"{prefix}/silences", $"{prefix}/silences", $$"""{"job":"{{Job}}","for":"soon","reason":"x"}""", 400, "'for' must be a duration"),
        ("DELETE", $"{prefix}/silences/{{id}}", $"{prefix}/silences/no-such-silence", null, 404, "no-such-silence"),
        ("GET", $"{prefix}/nodes", "", null, NoInput, ""),
        ("POST", $"{prefix}/nodes/{{id}}/drain", $"{prefix}/nodes/node-zz/drain", null, 404, "node-zz"),
        ("POST", $"{prefix}/nodes/{{id}}/undrain", $"{prefix}/nodes/node-zz/undrain", null, 404, "node-zz"),
        ("GET", $"{prefix}/policies", "", null, NoInput, ""),
        ("GET", $"{prefix}/jobs/{{id}}/policy", $"{prefix}/jobs/job-00000000ff/policy", null, 404, "No job has id"),
        ("PUT", $"{prefix}/jobs/{{id}}/policy", $"{prefix}/jobs/{Job}/policy", Malformed, 400, "JSON"),
        ("POST", $"{prefix}/jobs/{{id}}/policy/dry-run", $"{prefix}/jobs/{Job}/policy/dry-run", Malformed, 400, "JSON"),
        ("GET", $"{prefix}/agents", "", null, NoInput, ""),
        ("POST", $"{prefix}/nodes/{{id}}/enroll", $"{prefix}/nodes/{Uri.EscapeDataString("two words")}/enroll", null, 400, "A node id is"),
        ("DELETE", $"{prefix}/nodes/{{id}}/credential", $"{prefix}/nodes/node-zz/credential", null, 404, "node-zz"),
        ("*", $"{prefix}/{{*path:nonfile}}", $"{prefix}/no-such-route", null, 404, "no-such-route"),
    ];

    public static TheoryData<string, string, string?, int, string> BadRequests()
    {
        var data = new TheoryData<string, string, string?, int, string>();
        foreach (var route in Routes.Where(r => r.Status != NoInput))
            data.Add(route.Method == "*" ? "GET" : route.Method, route.Path, route.Body, route.Status, route.Says);
        return data;
    }

    [Fact]
    public void The_table_lists_every_API_endpoint_the_portal_maps()
    {
        var mapped = MappedApiRoutes.Of(fixture.Api.Services);

        Assert.Equal(Routes.Select(r => $"{r.Method} {r.Pattern}").Order().ToList(), mapped);
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_request_is_a_problem_that_says_what_is_wrong_and_changes_nothing(string method, string path, string? body, int status, string says)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");

        var response = await fixture.Api.Client.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.Contains(says, problem.RootElement.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        await fixture.AssertNothingChangedAsync();
    }

    /// <summary>One platform for the whole table: what a refused request leaves behind would pile up and show.</summary>
    public sealed class Host : IAsyncLifetime
    {
        public PortalApiHost Api { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Api = await PortalApiHost.StartAsync();
            Api.Platform.Jobs.Add(SampleJobs.Running(Job, "counter", 0.5, SampleJobs.Start));
            Api.Platform.Nodes.Add(new NodeStatus { NodeId = "node-a", Pool = "default" });
            Api.Policies.AddJob(Job);
            Api.Alerts.Alerts.Add(new AlertView
            {
                Id = $"failed-{Job}", JobId = Job, JobName = "counter", Kind = AlertKind.Failed, State = AlertState.Firing,
                Message = "exit code 3", RaisedAt = SampleJobs.Start,
            });
        }

        public async Task DisposeAsync() => await Api.DisposeAsync();

        public async Task AssertNothingChangedAsync()
        {
            var platform = Api.Platform;
            Assert.Empty(platform.Submitted);
            Assert.Empty(platform.CheckpointCalls);
            Assert.Empty(platform.KillCalls);
            Assert.Empty(platform.RestoreCalls);
            Assert.Empty(platform.MigrateCalls);
            Assert.Empty(platform.VerifyCalls);
            Assert.Empty(platform.DeleteCalls);
            Assert.Empty(Api.Policies.SetCalls);
            Assert.Empty(Api.Projections.Rebuilt);
            Assert.Empty(Api.Alerts.Acknowledged);
            Assert.Empty(Api.Alerts.Silences);
            Assert.All(platform.Nodes, node => Assert.False(node.Drained));
            Assert.Equal(["admin"], (await Api.Store.ListUsersAsync()).Select(u => u.Name));
            Assert.Empty(await Api.Store.ListAgentsAsync());
            Assert.Single(await Api.Store.ListTokensAsync("admin"));
            Assert.NotNull(await Api.Store.VerifyPasswordAsync("admin", PortalApiHost.AdminPassword));
        }
    }
}
