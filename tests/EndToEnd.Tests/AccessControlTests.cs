using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Caas.Contracts.Jobs;

namespace Caas.EndToEnd.Tests;

/// <summary>Access control on the real standalone platform: first-start admin, tokens, 401 and 403.</summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class AccessControlTests
{
    private const string FirstStartLine = "first start: log in at ";

    [Fact]
    public async Task The_first_start_prints_the_admin_password_once_and_the_next_start_does_not()
    {
        string dataDirectory;
        string password;
        await using (var first = await StandaloneHost.StartAsync(letHostChoosePassword: true))
        {
            dataDirectory = first.DataDirectory;
            password = first.AdminPassword!;
            var log = first.ReadLog();
            Assert.Equal(1, Occurrences(log, FirstStartLine));
            Assert.Contains($"{FirstStartLine}{first.Url.ToString().TrimEnd('/')}/login as admin with password {password}; change it under Account.", log);
            Assert.True(password.Length >= 20, $"a generated password of {password.Length} characters");
            await first.StopAsync();
        }
        File.Move(Path.Combine(dataDirectory, "host.log"), Path.Combine(dataDirectory, "first-host.log"));

        await using var second = await StandaloneHost.StartAsync(dataDirectory, adminPassword: password, letHostChoosePassword: true);

        var secondLog = second.ReadLog();
        Assert.Equal(0, Occurrences(secondLog, FirstStartLine));
        Assert.DoesNotContain(password, secondLog);
        Assert.Equal(0, (await second.Api.ListJobsAsync()).Total);
    }

    [Fact]
    public async Task Anonymous_and_unknown_tokens_get_401_and_a_viewer_cannot_submit()
    {
        await using var host = await StandaloneHost.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = host.Url };

        var noToken = await anonymous.GetAsync("/api/v1/jobs");
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal("application/problem+json", noToken.Content.Headers.ContentType?.MediaType);
        var wrongPassword = await TryTokenAsync(host, "admin", "not the password");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword);

        var created = await host.Api.Http.PostAsJsonAsync("/api/v1/users", new { name = "vera", password = "vera's long password", role = "viewer" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var viewer = new CaasApi(host.Url);
        viewer.UseToken(await host.CreateTokenAsync("vera", "vera's long password"));

        Assert.Equal(0, (await viewer.ListJobsAsync()).Total);
        var refused = await Assert.ThrowsAsync<ApiRejectedException>(() => viewer.SubmitAsync(CounterJob.Spec("not allowed")));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        using var problem = JsonDocument.Parse(refused.Body);
        Assert.Equal("vera has the role viewer; POST /api/v1/jobs needs the role operator.", problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal(0, (await host.Api.ListJobsAsync()).Total);

        var log = host.ReadLog();
        Assert.Contains("audit: admin user.create vera with role viewer in default: Succeeded", log);
        Assert.DoesNotContain("vera's long password", log);
        Assert.DoesNotContain(host.AdminPassword!, log);
    }

    [Fact]
    public async Task The_audit_trail_survives_a_restart_the_local_agent_is_enrolled_and_projects_hide_jobs()
    {
        string dataDirectory;
        string counterJob;
        await using (var first = await StandaloneHost.StartAsync())
        {
            dataDirectory = first.DataDirectory;
            // Ready means the embedded agent's heartbeats got through the credential check.
            Assert.Single(await first.Api.GetNodesAsync());
            Assert.Equal(HttpStatusCode.Created, (await first.Api.Http.PostAsJsonAsync("/api/v1/projects", new { name = "red" })).StatusCode);
            var created = await first.Api.Http.PostAsJsonAsync("/api/v1/users", new { name = "rita", password = "rita's long password", role = "operator", projects = new[] { "red" } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            counterJob = (await first.Api.SubmitAsync(CounterJob.Spec("in default"))).JobId;
            await first.StopAsync();
        }

        await using var second = await StandaloneHost.StartAsync(dataDirectory);
        var rita = new CaasApi(second.Url);
        rita.UseToken(await second.CreateTokenAsync("rita", "rita's long password"));

        using var audit = JsonDocument.Parse(await second.Api.Http.GetStringAsync("/api/v1/audit?take=500"));
        var records = audit.RootElement.GetProperty("items").EnumerateArray()
            .Select(r => (User: r.GetProperty("user").GetString(), Action: r.GetProperty("action").GetString(), Target: r.GetProperty("target").GetString())).ToList();
        Assert.Contains(("admin", "project.create", "red"), records);
        Assert.Contains(("admin", "user.create", "rita with role operator in red"), records);
        Assert.Contains(("admin", "job.submit", $"{counterJob} in project default"), records);
        Assert.Equal(2, records.Count(r => r is ("platform", "node.enroll", _)));
        using var agents = JsonDocument.Parse(await second.Api.Http.GetStringAsync("/api/v1/agents"));
        var agent = Assert.Single(agents.RootElement.EnumerateArray());
        Assert.Equal(JsonValueKind.Null, agent.GetProperty("revokedAt").ValueKind);
        Assert.Single(await second.Api.GetNodesAsync());
        Assert.Equal(0, (await rita.ListJobsAsync()).Total);
        var hidden = await Assert.ThrowsAsync<ApiRejectedException>(() => rita.GetJobAsync(counterJob));
        Assert.Equal(HttpStatusCode.NotFound, hidden.Status);
        Assert.DoesNotContain("rita's long password", second.ReadLog());
        Assert.DoesNotContain("caasagent_", second.ReadLog());
    }

    private static async Task<HttpStatusCode> TryTokenAsync(StandaloneHost host, string user, string password)
    {
        try
        {
            await host.CreateTokenAsync(user, password);
            return HttpStatusCode.Created;
        }
        catch (ApiRejectedException e)
        {
            return e.Status;
        }
    }

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}
