using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Caas.Web.Portal.Security;

namespace Caas.Portal.Tests.Api;

/// <summary>The alert and silence routes' answers and refusals (the 401/403 table is in ApiAccessTests).</summary>
[Trait("Category", "Integration")]
public sealed class AlertsApiTests : IAsyncLifetime
{
    private PortalApiHost host = null!;

    private HttpClient Client => host.Client;

    public async Task InitializeAsync()
    {
        host = await PortalApiHost.StartAsync();
        host.Alerts.Alerts.Add(new AlertView
        {
            Id = "failed-job-000000000a", JobId = "job-000000000a", JobName = "sim", Kind = AlertKind.Failed, State = AlertState.Firing,
            Message = "exit code 3", RaisedAt = SampleJobs.Start,
        });
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private static async Task<JsonDocument> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Acknowledge_returns_the_alert_and_unknown_or_not_firing_alerts_are_404_and_409()
    {
        var acknowledged = await Client.PostAsJsonAsync("/api/v1/alerts/failed-job-000000000a/ack", new { comment = "on it" });
        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        using (var body = JsonDocument.Parse(await acknowledged.Content.ReadAsStringAsync()))
            Assert.Equal(("Acknowledged", "admin"), (body.RootElement.GetProperty("state").GetString(), body.RootElement.GetProperty("acknowledgedBy").GetString()));

        using var again = await ProblemAsync(await Client.PostAsync("/api/v1/alerts/failed-job-000000000a/ack", null), HttpStatusCode.Conflict);
        using var unknown = await ProblemAsync(await Client.PostAsync("/api/v1/alerts/failed-job-00000000ff/ack", null), HttpStatusCode.NotFound);
        using var missing = await ProblemAsync(await Client.GetAsync("/api/v1/alerts/failed-job-00000000ff"), HttpStatusCode.NotFound);
        Assert.Single(host.Alerts.Acknowledged);
    }

    [Fact]
    public async Task A_jobs_alerts_are_its_open_and_resolved_ones_and_an_unknown_job_is_404()
    {
        host.Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start));
        host.Alerts.Alerts.Add(new AlertView
        {
            Id = "stalled-job-000000000a", JobId = "job-000000000a", JobName = "sim", Kind = AlertKind.Stalled, State = AlertState.Resolved,
            Message = "no progress for 40 s", RaisedAt = SampleJobs.Start, ResolvedAt = SampleJobs.Start.AddSeconds(30),
        });
        host.Alerts.Alerts.Add(new AlertView
        {
            Id = "failed-job-00000000bb", JobId = "job-00000000bb", JobName = "other", Kind = AlertKind.Failed, State = AlertState.Firing,
            Message = "another job's", RaisedAt = SampleJobs.Start,
        });

        var alerts = await Client.GetFromJsonAsync<JsonElement>("/api/v1/jobs/job-000000000a/alerts");

        var items = alerts.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(["failed-job-000000000a", "stalled-job-000000000a"], items.Select(a => a.GetProperty("id").GetString()));
        Assert.Equal(["Firing", "Resolved"], items.Select(a => a.GetProperty("state").GetString()));
        Assert.Equal(2, alerts.GetProperty("total").GetInt32());
        // Asked of the alert service by job, not by reading every alert.
        Assert.Equal([("job-000000000a", 0, 50)], host.Alerts.JobListCalls);
        Assert.Empty(host.Alerts.ListCalls);
        using var unknown = await ProblemAsync(await Client.GetAsync("/api/v1/jobs/job-00000000ff/alerts"), HttpStatusCode.NotFound);
        using var malformed = await ProblemAsync(await Client.GetAsync("/api/v1/jobs/nonsense/alerts"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_jobs_alerts_are_paged_open_ones_first_and_a_bad_page_is_a_400_problem()
    {
        host.Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start));
        for (var i = 0; i < 3; i++)
            host.Alerts.Alerts.Insert(0, new AlertView
            {
                Id = "stalled-job-000000000a", JobId = "job-000000000a", JobName = "sim", Kind = AlertKind.Stalled, State = AlertState.Resolved,
                Message = $"past stall {i}", RaisedAt = SampleJobs.Start, ResolvedAt = SampleJobs.Start.AddSeconds(30), Occurrence = i + 1,
            });

        var first = await Client.GetFromJsonAsync<JsonElement>("/api/v1/jobs/job-000000000a/alerts?take=2");
        var second = await Client.GetFromJsonAsync<JsonElement>("/api/v1/jobs/job-000000000a/alerts?skip=2&take=2");

        Assert.Equal(["Firing", "Resolved"], first.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("state").GetString()));
        Assert.Equal(["past stall 1", "past stall 0"], second.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("message").GetString()));
        Assert.Equal((4, 2, 2), (second.GetProperty("total").GetInt32(), second.GetProperty("skip").GetInt32(), second.GetProperty("take").GetInt32()));
        using var badTake = await ProblemAsync(await Client.GetAsync("/api/v1/jobs/job-000000000a/alerts?take=0"), HttpStatusCode.BadRequest);
        Assert.Contains("'take' must be between", badTake.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var badSkip = await ProblemAsync(await Client.GetAsync("/api/v1/jobs/job-000000000a/alerts?skip=x"), HttpStatusCode.BadRequest);
        Assert.Contains("'skip' must be a whole number", badSkip.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("state=burning", "'state' must be one of")]
    [InlineData("take=0", "'take' must be between")]
    [InlineData("includeResolved=maybe", "'includeResolved' must be true or false")]
    public async Task A_bad_list_query_is_a_400_problem_naming_the_parameter(string query, string expected)
    {
        using var problem = await ProblemAsync(await Client.GetAsync($"/api/v1/alerts?{query}"), HttpStatusCode.BadRequest);
        Assert.Contains(expected, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"job":"job-000000000a","for":"2h"}""", "reason")]
    [InlineData("""{"reason":"x","for":"2h"}""", "at least one matcher")]
    [InlineData("""{"kind":"Melting","reason":"x","for":"2h"}""", "'kind' must be one of")]
    [InlineData("""{"job":"job-000000000a","reason":"x","for":"forever"}""", "'for' must be a duration")]
    [InlineData("""{"job":"job-000000000a","reason":"x","for":"2h","colour":"red"}""", "unknown field")]
    public async Task A_bad_silence_is_a_400_problem_and_creates_nothing(string json, string expected)
    {
        using var problem = await ProblemAsync(await Client.PostAsync("/api/v1/silences", new StringContent(json, System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);

        Assert.Contains(expected, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(host.Alerts.Silences);
    }

    [Fact]
    public async Task A_silence_is_created_listed_and_expired_and_an_unknown_one_is_404()
    {
        var created = await Client.PostAsJsonAsync("/api/v1/silences", new { name = "nightly-*", @for = "90m", reason = "planned outage" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        Assert.EndsWith($"/api/v1/silences/{id}", created.Headers.Location!.ToString(), StringComparison.Ordinal);

        using (var listed = JsonDocument.Parse(await Client.GetStringAsync("/api/v1/silences")))
            Assert.Equal("nightly-*", listed.RootElement[0].GetProperty("matchers").GetProperty("nameGlob").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Client.DeleteAsync($"/api/v1/silences/{id}")).StatusCode);
        using var unknown = await ProblemAsync(await Client.DeleteAsync("/api/v1/silences/nope"), HttpStatusCode.NotFound);
        Assert.Equal(TimeSpan.FromMinutes(90), host.Alerts.Silences.Single().EndsAt - host.Alerts.Silences.Single().CreatedAt);
    }

    [Fact]
    public async Task A_viewer_may_list_but_not_silence()
    {
        var token = await host.CreateUserWithTokenAsync("vera", CaasRoles.Viewer);
        using var viewer = new HttpClient { BaseAddress = host.Address };
        viewer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/v1/silences", new { job = "job-000000000a", @for = "1h", reason = "x" })).StatusCode);
        Assert.Empty(host.Alerts.Silences);
    }
}
