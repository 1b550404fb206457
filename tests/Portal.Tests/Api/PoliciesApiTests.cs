using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Caas.Contracts.Policies;
using Caas.Web.Portal.Security;

namespace Caas.Portal.Tests.Api;

[Trait("Category", "Integration")]
public sealed class PoliciesApiTests : IAsyncLifetime
{
    private const string Job = "job-00000000aa";
    private PortalApiHost host = null!;

    private HttpClient Client => host.Client;

    public async Task InitializeAsync()
    {
        host = await PortalApiHost.StartAsync();
        host.Policies.AddJob(Job);
        host.Platform.Jobs.Add(SampleJobs.Running(Job, "counter", 0.5, SampleJobs.Start));
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string? json) =>
        Client.SendAsync(new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") });

    [Fact]
    public async Task A_bad_policy_is_a_400_validation_problem_keyed_by_field_and_nothing_is_set()
    {
        var response = await Send(HttpMethod.Put, $"/api/v1/jobs/{Job}/policy", """{"maxAttempts":0,"checkpoints":{"mode":"Fixed","intervalSeconds":0}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = body.RootElement.GetProperty("errors");
        Assert.Equal("must be between 1 and 100", errors.GetProperty("policy.maxAttempts")[0].GetString());
        Assert.Equal("must be a number of seconds between 1 and 31536000", errors.GetProperty("policy.checkpoints.intervalSeconds")[0].GetString());
        Assert.StartsWith("The policy is invalid: 'policy.maxAttempts' must be between 1 and 100.", body.RootElement.GetProperty("detail").GetString());
        Assert.Empty(host.Policies.SetCalls);
    }

    [Fact]
    public async Task An_unknown_field_is_refused_rather_than_ignored()
    {
        var response = await Send(HttpMethod.Put, $"/api/v1/jobs/{Job}/policy", """{"maxAttempt":3}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("unknown field at '$.maxAttempt'", await response.Content.ReadAsStringAsync());
        Assert.Empty(host.Policies.SetCalls);
    }

    [Fact]
    public async Task An_operator_sets_a_policy_and_reads_it_back()
    {
        var response = await Send(HttpMethod.Put, $"/api/v1/jobs/{Job}/policy", """{"onFailure":"Restart","maxFailureRestarts":2,"allowedPools":["cloud-a"]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await Client.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{Job}/policy");
        Assert.Equal(("job", "Restart", 2), (view.GetProperty("source").GetString(), view.GetProperty("policy").GetProperty("onFailure").GetString(), view.GetProperty("policy").GetProperty("maxFailureRestarts").GetInt32()));
    }

    [Fact]
    public async Task A_dry_run_takes_the_posted_policy_or_the_jobs_own_and_answers_the_timeline()
    {
        host.Policies.Histories[Job] = [new(7, "JobStalled", SampleJobs.Start, new PolicyDecision { Trigger = PolicyTrigger.Stall, Action = RecoveryAction.RestartInPlace, Reason = "stall: restart", Attempt = 1, At = SampleJobs.Start })];

        var withPolicy = await Send(HttpMethod.Post, $"/api/v1/jobs/{Job}/policy/dry-run", """{"onStall":"Migrate"}""");
        var withoutBody = await Send(HttpMethod.Post, $"/api/v1/jobs/{Job}/policy/dry-run", null);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (withPolicy.StatusCode, withoutBody.StatusCode));
        Assert.Equal([StallResponse.Migrate, (StallResponse?)null], host.Policies.DryRunCalls.Select(c => c.Policy?.OnStall));
        using var body = JsonDocument.Parse(await withPolicy.Content.ReadAsStringAsync());
        var step = body.RootElement.GetProperty("steps")[0];
        Assert.Equal((7, "RestartInPlace", "stall: restart"), (step.GetProperty("version").GetInt64(), step.GetProperty("decision").GetProperty("action").GetString(), step.GetProperty("decision").GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task A_viewer_may_read_and_dry_run_but_not_set()
    {
        var token = await host.CreateUserWithTokenAsync("vera", CaasRoles.Viewer);
        using var viewer = new HttpClient { BaseAddress = host.Address };
        viewer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/policies")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.PostAsync($"/api/v1/jobs/{Job}/policy/dry-run", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsJsonAsync($"/api/v1/jobs/{Job}/policy", new { maxAttempts = 3 })).StatusCode);
        Assert.Empty(host.Policies.SetCalls);
    }

    [Fact]
    public async Task A_job_submitted_with_a_bad_policy_is_refused_naming_the_field()
    {
        var response = await Send(HttpMethod.Post, "/api/v1/jobs", """{"command":"/usr/bin/true","policy":{"cooldownSeconds":-1}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("'policy.cooldownSeconds' must be a number of seconds between 0 and 31536000.", body.RootElement.GetProperty("detail").GetString());
        Assert.Empty(host.Platform.Submitted);
    }
}
