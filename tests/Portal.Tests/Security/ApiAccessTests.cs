using System.Net;
using System.Text;
using System.Text.Json;
using Caas.Portal.Tests.Api;
using Caas.Web.Portal.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Security;

/// <summary>Every API route, table-driven: 401 without a usable token, 403 for a role too small, and nothing changed by either.</summary>
[Trait("Category", "Integration")]
public sealed class ApiAccessTests : IAsyncLifetime
{
    private const string Job = "job-000000000a";
    private PortalApiHost host = null!;

    /// <summary>Every API endpoint: method ("*" for the fallback), route pattern, a concrete path, and the least role that may call it.</summary>
    public static readonly (string Method, string Pattern, string Path, string Role)[] Routes =
    [
        .. Versioned("/api/v1"),
        .. Versioned("/api"),
        ("GET", "/api/v1/users", "/api/v1/users", CaasRoles.Admin),
        ("POST", "/api/v1/users", "/api/v1/users", CaasRoles.Admin),
        ("GET", "/api/v1/projects", "/api/v1/projects", CaasRoles.Admin),
        ("POST", "/api/v1/projects", "/api/v1/projects", CaasRoles.Admin),
        ("PUT", "/api/v1/projects/{project}/members/{user}", "/api/v1/projects/default/members/admin", CaasRoles.Admin),
        ("DELETE", "/api/v1/projects/{project}/members/{user}", "/api/v1/projects/default/members/admin", CaasRoles.Admin),
        ("GET", "/api/v1/audit", "/api/v1/audit", CaasRoles.Admin),
        ("POST", "/api/v1/account/password", "/api/v1/account/password", CaasRoles.Viewer),
        ("GET", "/api/v1/tokens", "/api/v1/tokens", CaasRoles.Viewer),
        ("POST", "/api/v1/tokens", "/api/v1/tokens", CaasRoles.Viewer),
        ("DELETE", "/api/v1/tokens/{id}", "/api/v1/tokens/tok-000000000000", CaasRoles.Viewer),
        ("GET", "/api/v1/checkpoints", "/api/v1/checkpoints", CaasRoles.Viewer),
        ("GET", "/api/v1/jobs/{id}/checkpoints", $"/api/v1/jobs/{Job}/checkpoints", CaasRoles.Viewer),
        ("POST", "/api/v1/jobs/{id}/checkpoints/{sequence}/verify", $"/api/v1/jobs/{Job}/checkpoints/1/verify", CaasRoles.Operator),
        ("DELETE", "/api/v1/jobs/{id}/checkpoints/{sequence}", $"/api/v1/jobs/{Job}/checkpoints/1", CaasRoles.Operator),
        ("GET", "/api/v1/projections", "/api/v1/projections", CaasRoles.Viewer),
        ("POST", "/api/v1/projections/rebuild", "/api/v1/projections/rebuild", CaasRoles.Admin),
        ("POST", "/api/v1/projections/{name}/rebuild", "/api/v1/projections/jobs/rebuild", CaasRoles.Admin),
    ];

    private static IEnumerable<(string, string, string, string)> Versioned(string prefix) =>
    [
        ("GET", $"{prefix}/jobs", $"{prefix}/jobs", CaasRoles.Viewer),
        ("POST", $"{prefix}/jobs", $"{prefix}/jobs", CaasRoles.Operator),
        ("GET", $"{prefix}/jobs/{{id}}", $"{prefix}/jobs/{Job}", CaasRoles.Viewer),
        ("GET", $"{prefix}/jobs/{{id}}/events", $"{prefix}/jobs/{Job}/events", CaasRoles.Viewer),
        ("GET", $"{prefix}/jobs/{{id}}/incidents", $"{prefix}/jobs/{Job}/incidents", CaasRoles.Viewer),
        ("GET", $"{prefix}/incidents", $"{prefix}/incidents", CaasRoles.Viewer),
        ("POST", $"{prefix}/jobs/{{id}}/checkpoint", $"{prefix}/jobs/{Job}/checkpoint", CaasRoles.Operator),
        ("POST", $"{prefix}/jobs/{{id}}/kill", $"{prefix}/jobs/{Job}/kill", CaasRoles.Operator),
        ("GET", $"{prefix}/jobs/{{id}}/samples", $"{prefix}/jobs/{Job}/samples", CaasRoles.Viewer),
        ("GET", $"{prefix}/jobs/{{id}}/logs", $"{prefix}/jobs/{Job}/logs", CaasRoles.Viewer),
        ("POST", $"{prefix}/jobs/{{id}}/suspend", $"{prefix}/jobs/{Job}/suspend", CaasRoles.Operator),
        ("POST", $"{prefix}/jobs/{{id}}/resume", $"{prefix}/jobs/{Job}/resume", CaasRoles.Operator),
        ("POST", $"{prefix}/jobs/{{id}}/migrate", $"{prefix}/jobs/{Job}/migrate", CaasRoles.Operator),
        ("POST", $"{prefix}/jobs/{{id}}/restore", $"{prefix}/jobs/{Job}/restore", CaasRoles.Operator),
        ("GET", $"{prefix}/alerts", $"{prefix}/alerts", CaasRoles.Viewer),
        ("GET", $"{prefix}/alerts/{{id}}", $"{prefix}/alerts/failed-{Job}", CaasRoles.Viewer),
        ("GET", $"{prefix}/jobs/{{id}}/alerts", $"{prefix}/jobs/{Job}/alerts", CaasRoles.Viewer),
        ("POST", $"{prefix}/alerts/{{id}}/ack", $"{prefix}/alerts/failed-{Job}/ack", CaasRoles.Operator),
        ("GET", $"{prefix}/silences", $"{prefix}/silences", CaasRoles.Viewer),
        ("POST", $"{prefix}/silences", $"{prefix}/silences", CaasRoles.Operator),
        ("DELETE", $"{prefix}/silences/{{id}}", $"{prefix}/silences/s1", CaasRoles.Operator),
        ("GET", $"{prefix}/nodes", $"{prefix}/nodes", CaasRoles.Viewer),
        ("POST", $"{prefix}/nodes/{{id}}/drain", $"{prefix}/nodes/node-a/drain", CaasRoles.Operator),
        ("POST", $"{prefix}/nodes/{{id}}/undrain", $"{prefix}/nodes/node-a/undrain", CaasRoles.Operator),
        ("GET", $"{prefix}/policies", $"{prefix}/policies", CaasRoles.Viewer),
        ("GET", $"{prefix}/jobs/{{id}}/policy", $"{prefix}/jobs/{Job}/policy", CaasRoles.Viewer),
        ("PUT", $"{prefix}/jobs/{{id}}/policy", $"{prefix}/jobs/{Job}/policy", CaasRoles.Operator),
        ("POST", $"{prefix}/jobs/{{id}}/policy/dry-run", $"{prefix}/jobs/{Job}/policy/dry-run", CaasRoles.Viewer),
        ("GET", $"{prefix}/agents", $"{prefix}/agents", CaasRoles.Admin),
        ("POST", $"{prefix}/nodes/{{id}}/enroll", $"{prefix}/nodes/node-a/enroll", CaasRoles.Admin),
        ("DELETE", $"{prefix}/nodes/{{id}}/credential", $"{prefix}/nodes/node-a/credential", CaasRoles.Admin),
        ("*", $"{prefix}/{{*path:nonfile}}", $"{prefix}/no-such-route", CaasRoles.Viewer),
    ];

    public static TheoryData<string, string, string> AllRoutes()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var route in Routes)
            data.Add(route.Method == "*" ? "GET" : route.Method, route.Path, route.Role);
        return data;
    }

    public static TheoryData<string, string, string, string> RoutesNeedingMoreThanViewer()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var route in Routes.Where(r => r.Role != CaasRoles.Viewer))
            data.Add(route.Method, route.Path, route.Role, route.Role == CaasRoles.Admin ? CaasRoles.Operator : CaasRoles.Viewer);
        return data;
    }

    public async Task InitializeAsync()
    {
        host = await PortalApiHost.StartAsync();
        host.Platform.Jobs.Add(SampleJobs.Running(Job, "counter", 0.5, SampleJobs.Start));
        host.Platform.Catalog.Add(SampleJobs.CatalogEntry(Job, SampleJobs.Checkpoint(1, 0.25, SampleJobs.Start)));
        host.Projections.Views.Add(new ProjectionView { Name = "jobs", Position = 5, HeadPosition = 5 });
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public void The_table_lists_every_API_endpoint_the_portal_maps()
    {
        var mapped = MappedApiRoutes.Of(host.Services);

        Assert.Equal(Routes.Select(r => $"{r.Method} {r.Pattern}").Order().ToList(), mapped);
    }

    [Theory]
    [MemberData(nameof(AllRoutes))]
    public async Task Without_a_token_every_route_is_401(string method, string path, string role)
    {
        _ = role;
        var response = await Send(host.ClientWith(null), method, path);

        await AssertUnauthorized(response, "No credentials were sent.");
    }

    [Theory]
    [MemberData(nameof(AllRoutes))]
    public async Task An_unknown_token_is_401_on_every_route(string method, string path, string role)
    {
        _ = role;
        var response = await Send(host.ClientWith("caas_" + new string('A', 43)), method, path);

        await AssertUnauthorized(response, "The token is not known to this platform.");
    }

    [Theory]
    [MemberData(nameof(AllRoutes))]
    public async Task An_expired_token_is_401_on_every_route(string method, string path, string role)
    {
        _ = role;
        // A store whose clock stands 31 days back issues a 30-day token that has expired by now.
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-31));
        var store = new SqliteSecurityStore(host.Services.GetRequiredService<IOptions<SecurityOptions>>(), past);
        var (_, secret) = await store.CreateTokenAsync(AdministratorBootstrap.AdminName, "old", TimeSpan.FromDays(30));

        var response = await Send(host.ClientWith(secret), method, path);

        await AssertUnauthorized(response, "The token has expired.");
    }

    [Theory]
    [MemberData(nameof(AllRoutes))]
    public async Task A_revoked_token_is_401_on_every_route(string method, string path, string role)
    {
        _ = role;
        var (token, secret) = await host.Store.CreateTokenAsync(AdministratorBootstrap.AdminName, "soon revoked", null);
        await host.Store.RevokeTokenAsync(AdministratorBootstrap.AdminName, token.Id);

        var response = await Send(host.ClientWith(secret), method, path);

        await AssertUnauthorized(response, "The token was revoked.");
    }

    [Theory]
    [MemberData(nameof(RoutesNeedingMoreThanViewer))]
    public async Task A_role_below_the_one_needed_is_403_and_changes_nothing(string method, string path, string needed, string has)
    {
        var token = await host.CreateUserWithTokenAsync("someone", has);

        var response = await Send(host.ClientWith(token), method, path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal($"someone has the role {has}; {method} {path} needs the role {needed}.", problem.RootElement.GetProperty("detail").GetString());
        AssertNothingChanged();
        Assert.Equal(["admin", "someone"], (await host.Store.ListUsersAsync()).Select(u => u.Name));
    }

    [Theory]
    [MemberData(nameof(AllRoutes))]
    public async Task The_role_the_table_names_is_enough(string method, string path, string role)
    {
        var token = await host.CreateUserWithTokenAsync("exactly", role);

        var response = await Send(host.ClientWith(token), method, path);

        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_portal_cookie_alone_does_not_open_the_job_API()
    {
        using var client = new HttpClient { BaseAddress = host.Address };
        client.DefaultRequestHeaders.Add("Cookie", "caas.auth=anything");

        var response = await client.PostAsync("/api/v1/jobs", new StringContent("""{"command":"/usr/bin/true"}""", Encoding.UTF8, "application/json"));

        await AssertUnauthorized(response, "No credentials were sent.");
    }

    [Fact]
    public async Task The_OpenAPI_document_stays_public()
    {
        var response = await host.ClientWith(null).GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
            request.Content = new StringContent(path.EndsWith("/users", StringComparison.Ordinal)
                ? """{"name":"created","password":"created password 1","role":"viewer"}"""
                : path.EndsWith("/jobs", StringComparison.Ordinal) ? """{"command":"/usr/bin/true"}"""
                : path.EndsWith("/projects", StringComparison.Ordinal) ? """{"name":"created"}""" : "", Encoding.UTF8, "application/json");
        return client.SendAsync(request);
    }

    private async Task AssertUnauthorized(HttpResponseMessage response, string reason)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer realm=\"caas\"", response.Headers.WwwAuthenticate.ToString());
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal($"{reason} Send Authorization: Bearer <token>; get a token with 'caas-cli login' or POST /api/v1/tokens.",
            problem.RootElement.GetProperty("detail").GetString());
        AssertNothingChanged();
        Assert.Equal(["admin"], (await host.Store.ListUsersAsync()).Select(u => u.Name));
    }

    private void AssertNothingChanged()
    {
        Assert.Empty(host.Platform.Submitted);
        Assert.Empty(host.Platform.CheckpointCalls);
        Assert.Empty(host.Platform.KillCalls);
        Assert.Empty(host.Platform.RestoreCalls);
        Assert.Empty(host.Platform.VerifyCalls);
        Assert.Empty(host.Platform.DeleteCalls);
        Assert.Empty(host.Policies.SetCalls);
        Assert.Empty(host.Projections.Rebuilt);
    }
}
