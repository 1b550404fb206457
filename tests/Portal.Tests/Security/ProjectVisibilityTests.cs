using System.Net;
using System.Text;
using System.Text.Json;
using Caas.Portal.Tests.Api;
using Caas.Web.Portal.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Portal.Tests.Security;

/// <summary>
/// Every job-scoped route, table-driven, with two operators in different projects: each sees and steers only their own
/// project's jobs; another project's job answers 404 exactly as a job that does not exist, and acting on it changes
/// nothing. Admins see every project.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ProjectVisibilityTests : IAsyncLifetime
{
    private const string RedJob = "job-00000000e1";
    private const string BlueJob = "job-00000000b1";
    private const string Placeholder = "{job}";
    private PortalApiHost host = null!;
    private string red = "";
    private string blue = "";

    /// <summary>Every route that names a job (directly, or through an alert of the job): method, pattern, path with {job}, body.</summary>
    public static readonly (string Method, string Pattern, string Path, string? Body)[] JobRoutes =
    [
        .. Versioned("/api/v1"),
        .. Versioned("/api"),
        ("GET", "/api/v1/jobs/{id}/checkpoints", $"/api/v1/jobs/{Placeholder}/checkpoints", null),
        ("POST", "/api/v1/jobs/{id}/checkpoints/{sequence}/verify", $"/api/v1/jobs/{Placeholder}/checkpoints/1/verify", null),
        ("DELETE", "/api/v1/jobs/{id}/checkpoints/{sequence}", $"/api/v1/jobs/{Placeholder}/checkpoints/1", null),
    ];

    private static IEnumerable<(string, string, string, string?)> Versioned(string prefix) =>
    [
        ("GET", $"{prefix}/jobs/{{id}}", $"{prefix}/jobs/{Placeholder}", null),
        ("GET", $"{prefix}/jobs/{{id}}/events", $"{prefix}/jobs/{Placeholder}/events", null),
        ("GET", $"{prefix}/jobs/{{id}}/incidents", $"{prefix}/jobs/{Placeholder}/incidents", null),
        ("GET", $"{prefix}/jobs/{{id}}/alerts", $"{prefix}/jobs/{Placeholder}/alerts", null),
        ("POST", $"{prefix}/jobs/{{id}}/checkpoint", $"{prefix}/jobs/{Placeholder}/checkpoint", "{}"),
        ("POST", $"{prefix}/jobs/{{id}}/kill", $"{prefix}/jobs/{Placeholder}/kill", null),
        ("POST", $"{prefix}/jobs/{{id}}/restore", $"{prefix}/jobs/{Placeholder}/restore", "{}"),
        ("GET", $"{prefix}/jobs/{{id}}/samples", $"{prefix}/jobs/{Placeholder}/samples", null),
        ("GET", $"{prefix}/jobs/{{id}}/logs", $"{prefix}/jobs/{Placeholder}/logs", null),
        ("POST", $"{prefix}/jobs/{{id}}/suspend", $"{prefix}/jobs/{Placeholder}/suspend", null),
        ("POST", $"{prefix}/jobs/{{id}}/resume", $"{prefix}/jobs/{Placeholder}/resume", null),
        ("POST", $"{prefix}/jobs/{{id}}/migrate", $"{prefix}/jobs/{Placeholder}/migrate", """{"node":"node-b"}"""),
        ("GET", $"{prefix}/jobs/{{id}}/policy", $"{prefix}/jobs/{Placeholder}/policy", null),
        ("PUT", $"{prefix}/jobs/{{id}}/policy", $"{prefix}/jobs/{Placeholder}/policy", "{}"),
        ("POST", $"{prefix}/jobs/{{id}}/policy/dry-run", $"{prefix}/jobs/{Placeholder}/policy/dry-run", null),
        ("GET", $"{prefix}/alerts/{{id}}", $"{prefix}/alerts/failed-{Placeholder}", null),
        ("POST", $"{prefix}/alerts/{{id}}/ack", $"{prefix}/alerts/failed-{Placeholder}/ack", "{}"),
    ];

    /// <summary>
    /// Routes whose operation depends on the job's state beyond being visible: on the sample running job a resume (it is
    /// not suspended) is refused with 409 after the job was found, which is what
    /// these tests need to see (a 404 would mean the visibility check refused the user's own job).
    /// </summary>
    private static readonly string[] StateDependent = ["/resume"];

    private static bool Reached(string path, HttpResponseMessage response) =>
        response.IsSuccessStatusCode
        || (response.StatusCode == HttpStatusCode.Conflict && StateDependent.Any(p => path.EndsWith(p, StringComparison.Ordinal)));

    public static TheoryData<string, string, string?> Routes()
    {
        var data = new TheoryData<string, string, string?>();
        foreach (var route in JobRoutes)
            data.Add(route.Method, route.Path, route.Body);
        return data;
    }

    public async Task InitializeAsync()
    {
        host = await PortalApiHost.StartAsync();
        await host.Store.CreateProjectAsync("red");
        await host.Store.CreateProjectAsync("blue");
        await host.Store.CreateUserAsync("rita", "rita password for tests", CaasRoles.Operator, ["red"]);
        await host.Store.CreateUserAsync("bill", "bill password for tests", CaasRoles.Operator, ["blue"]);
        red = await host.CreateTokenAsync("rita");
        blue = await host.CreateTokenAsync("bill");
        foreach (var (id, project) in new[] { (RedJob, "red"), (BlueJob, "blue") })
        {
            var job = SampleJobs.Running(id, project + "-counter", 0.5, SampleJobs.Start);
            host.Platform.Jobs.Add(job with
            {
                Spec = job.Spec with { Project = project },
                Checkpoints = [SampleJobs.Checkpoint(1, 0.25, SampleJobs.Start), SampleJobs.Checkpoint(2, 0.4, SampleJobs.Start.AddMinutes(1))],
            });
            host.Platform.Catalog.Add(SampleJobs.CatalogEntry(id, SampleJobs.Checkpoint(1, 0.25, SampleJobs.Start)));
            host.Platform.Catalog.Add(SampleJobs.CatalogEntry(id, SampleJobs.Checkpoint(2, 0.4, SampleJobs.Start.AddMinutes(1))));
            host.Platform.Timelines[id] = [SampleJobs.Event(0, "JobSubmitted", "submitted", SampleJobs.Start)];
            host.Policies.AddJob(id);
            host.Alerts.Alerts.Add(new AlertView
            {
                Id = $"failed-{id}", JobId = id, JobName = project + "-counter", Kind = AlertKind.Failed, Message = "exited with code 1",
                RaisedAt = SampleJobs.Start, State = AlertState.Firing,
            });
        }
        host.Platform.Nodes.Add(new NodeStatus { NodeId = "node-b", Pool = "west" });
        host.Alerts.Alerts.Add(new AlertView
        {
            Id = "node-lost-node-b", JobId = "node-b", JobName = "node-b", Kind = AlertKind.NodeLost, Message = "node-b lost", RaisedAt = SampleJobs.Start, State = AlertState.Firing,
        });
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public void The_table_lists_every_mapped_route_that_names_a_job_or_an_alert()
    {
        var mapped = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Pattern: "/" + e.RoutePattern.RawText!.Trim('/')))
            .Where(e => e.Pattern.Contains("/jobs/{id}", StringComparison.Ordinal) || e.Pattern.Contains("/alerts/{id}", StringComparison.Ordinal))
            .SelectMany(e => e.Endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {e.Pattern}"))
            .Order().ToList();

        Assert.Equal(JobRoutes.Select(r => $"{r.Method} {r.Pattern}").Order().ToList(), mapped);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Another_projects_job_is_404_like_a_job_that_does_not_exist_and_nothing_changes(string method, string path, string? body)
    {
        var foreign = await Send(blue, method, path.Replace(Placeholder, RedJob, StringComparison.Ordinal), body);
        var missing = await Send(blue, method, path.Replace(Placeholder, "job-00000000ff", StringComparison.Ordinal), body);

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal((await Detail(missing)).Replace("job-00000000ff", RedJob, StringComparison.Ordinal), await Detail(foreign));
        Assert.Empty(host.Platform.CheckpointCalls);
        Assert.Empty(host.Platform.KillCalls);
        Assert.Empty(host.Platform.RestoreCalls);
        Assert.Empty(host.Platform.VerifyCalls);
        Assert.Empty(host.Platform.DeleteCalls);
        Assert.Empty(host.Platform.MigrateCalls);
        Assert.Empty(host.Policies.SetCalls);
        Assert.Empty(host.Policies.DryRunCalls);
        Assert.Empty(host.Alerts.Acknowledged);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task The_own_projects_job_answers(string method, string path, string? body)
    {
        var response = await Send(red, method, path.Replace(Placeholder, RedJob, StringComparison.Ordinal), body);

        Assert.True(Reached(path, response), $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task An_admin_reaches_every_projects_job(string method, string path, string? body)
    {
        var response = await Send(host.AdminToken, method, path.Replace(Placeholder, BlueJob, StringComparison.Ordinal), body);

        Assert.True(Reached(path, response), $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData("/api/v1/jobs")]
    [InlineData("/api/jobs")]
    [InlineData("/api/v1/jobs?status=Running")]
    public async Task The_job_list_holds_only_the_users_projects(string path)
    {
        Assert.Equal([RedJob], await Ids(red, path, "jobId"));
        Assert.Equal([BlueJob], await Ids(blue, path, "jobId"));
        Assert.Equal([BlueJob, RedJob], (await Ids(host.AdminToken, path, "jobId")).Order());
    }

    [Fact]
    public async Task The_project_filter_narrows_the_list_and_another_projects_name_shows_nothing()
    {
        Assert.Equal([RedJob], await Ids(red, "/api/v1/jobs?project=red", "jobId"));
        // Not hers: an empty page, the same as a project without jobs, so it does not tell which projects exist.
        Assert.Empty(await Ids(red, "/api/v1/jobs?project=blue", "jobId"));
        Assert.Empty(await Ids(red, "/api/v1/jobs?project=no-such-project", "jobId"));
        Assert.Equal([BlueJob], await Ids(host.AdminToken, "/api/v1/jobs?project=blue", "jobId"));
        var tooLong = await Send(host.AdminToken, "GET", "/api/v1/jobs?project=" + new string('p', 201), null);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
    }

    [Fact]
    public async Task The_checkpoint_catalog_holds_only_the_users_projects_even_when_asked_for_another_job()
    {
        Assert.Equal([RedJob, RedJob], await Ids(red, "/api/v1/checkpoints", "jobId"));
        Assert.Empty(await Ids(red, $"/api/v1/checkpoints?job={BlueJob}", "jobId"));
        Assert.Equal(4, (await Ids(host.AdminToken, "/api/v1/checkpoints", "jobId")).Count);
    }

    [Fact]
    public async Task Recent_incidents_are_those_of_the_users_projects_jobs_newest_first()
    {
        for (var i = 0; i < 3; i++)
            foreach (var job in new[] { RedJob, BlueJob })
                host.Platform.Incidents.Add(new RecoveryIncident
                {
                    IncidentId = Guid.NewGuid(), JobId = job, State = "Recovered", Reason = $"{job} restore {i}", StartedAt = SampleJobs.Start.AddMinutes(i),
                });

        var response = await Send(red, "GET", "/api/v1/incidents?take=2", null);
        response.EnsureSuccessStatusCode();
        using var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        using var all = JsonDocument.Parse(await (await Send(host.AdminToken, "GET", "/api/v1/incidents", null)).Content.ReadAsStringAsync());

        Assert.Equal([$"{RedJob} restore 2", $"{RedJob} restore 1"], list.RootElement.EnumerateArray().Select(i => i.GetProperty("reason").GetString()));
        Assert.Equal(6, all.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Alerts_are_those_of_the_users_projects_jobs_and_of_nodes()
    {
        Assert.Equal([$"failed-{RedJob}", "node-lost-node-b"], (await Ids(red, "/api/v1/alerts", "id")).Order());
        using var page = JsonDocument.Parse(await (await Send(red, "GET", "/api/v1/alerts?take=1", null)).Content.ReadAsStringAsync());
        Assert.Equal(2, page.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(3, (await Ids(host.AdminToken, "/api/v1/alerts", "id")).Count);
    }

    [Fact]
    public async Task Silences_listed_are_those_of_the_users_projects_jobs_and_fleet_wide_ones()
    {
        AddSilences();

        Assert.Equal(["s-fleet", "s-red"], (await SilenceIds(red)).Order());
        Assert.Equal(["s-blue", "s-fleet"], (await SilenceIds(blue)).Order());
        Assert.Equal(["s-blue", "s-fleet", "s-red"], (await SilenceIds(host.AdminToken)).Order());
    }

    [Fact]
    public async Task A_user_may_silence_only_their_own_projects_job_and_a_refusal_creates_nothing()
    {
        var foreign = await Send(red, "POST", "/api/v1/silences", $$"""{"job":"{{BlueJob}}","for":"2h","reason":"noisy"}""");
        var everyJob = await Send(red, "POST", "/api/v1/silences", """{"kind":"Stalled","for":"2h","reason":"noisy"}""");

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal($"No job has id '{BlueJob}'.", await Detail(foreign));
        Assert.Equal(HttpStatusCode.Forbidden, everyJob.StatusCode);
        Assert.Contains("needs an admin", await Detail(everyJob), StringComparison.Ordinal);
        Assert.Empty(host.Alerts.Silences);

        Assert.Equal(HttpStatusCode.Created, (await Send(red, "POST", "/api/v1/silences", $$"""{"job":"{{RedJob}}","for":"2h","reason":"noisy"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Send(host.AdminToken, "POST", "/api/v1/silences", """{"kind":"Stalled","for":"2h","reason":"storage"}""")).StatusCode);
        Assert.Equal([RedJob, null], host.Alerts.Silences.Select(s => s.Matchers.JobId));
    }

    [Fact]
    public async Task A_user_may_end_only_silences_of_their_own_projects_jobs()
    {
        AddSilences();

        var foreign = await Send(red, "DELETE", "/api/v1/silences/s-blue", null);
        var fleet = await Send(red, "DELETE", "/api/v1/silences/s-fleet", null);
        var own = await Send(red, "DELETE", "/api/v1/silences/s-red", null);

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal("No silence has id 's-blue'.", await Detail(foreign));
        Assert.Equal(HttpStatusCode.Forbidden, fleet.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(["s-red"], host.Alerts.Silences.Where(s => s.ExpiredAt is not null).Select(s => s.Id));
    }

    private void AddSilences()
    {
        foreach (var (id, job) in new[] { ("s-red", RedJob), ("s-blue", BlueJob), ("s-fleet", (string?)null) })
            host.Alerts.Silences.Add(new SilenceView
            {
                Id = id, Matchers = job is null ? new SilenceMatchers { Kind = AlertKind.NodeLost } : new SilenceMatchers { JobId = job },
                CreatedAt = SampleJobs.Start, EndsAt = DateTimeOffset.MaxValue, CreatedBy = "root", Reason = "maintenance",
            });
    }

    private async Task<List<string>> SilenceIds(string token)
    {
        var response = await Send(token, "GET", "/api/v1/silences", null);
        response.EnsureSuccessStatusCode();
        using var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return list.RootElement.EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList();
    }

    [Fact]
    public async Task Submitting_to_a_project_the_user_is_not_in_is_403_that_says_why_and_submits_nothing()
    {
        var response = await Send(red, "POST", "/api/v1/jobs", """{"command":"/usr/bin/true","project":"blue"}""");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("rita is not in project 'blue' and may not submit jobs to it; their projects are red. An admin can add them to it.", await Detail(response));
        Assert.Empty(host.Platform.Submitted);
        var denied = Assert.Single(host.Audit.Records, r => r.Action == AuditActions.AccessDenied);
        Assert.Equal(("rita", AuditOutcome.Refused, "POST /api/v1/jobs"), (denied.User, denied.Outcome, denied.Target));
    }

    [Fact]
    public async Task A_job_submitted_without_a_project_goes_to_default_which_a_user_outside_it_may_not_use()
    {
        var refused = await Send(red, "POST", "/api/v1/jobs", """{"command":"/usr/bin/true"}""");
        var accepted = await Send(red, "POST", "/api/v1/jobs", """{"command":"/usr/bin/true","project":"red"}""");
        var byAdmin = await Send(host.AdminToken, "POST", "/api/v1/jobs", """{"command":"/usr/bin/true"}""");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Created, byAdmin.StatusCode);
        Assert.Equal(["red", JobProjects.Default], host.Platform.Submitted.Select(s => s.Project));
    }

    [Fact]
    public async Task A_bad_project_name_is_a_400_and_submits_nothing()
    {
        var response = await Send(host.AdminToken, "POST", "/api/v1/jobs", """{"command":"/usr/bin/true","project":"Not A Name"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(JobProjects.NameRule("project"), await Detail(response), StringComparison.Ordinal);
        Assert.Empty(host.Platform.Submitted);
    }

    [Fact]
    public async Task Adding_a_user_to_a_project_shows_its_jobs_at_once_and_removing_hides_them()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Send(blue, "GET", $"/api/v1/jobs/{RedJob}", null)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await Send(host.AdminToken, "PUT", "/api/v1/projects/red/members/bill", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(blue, "GET", $"/api/v1/jobs/{RedJob}", null)).StatusCode);
        Assert.Equal([BlueJob, RedJob], (await Ids(blue, "/api/v1/jobs", "jobId")).Order());

        Assert.Equal(HttpStatusCode.NoContent, (await Send(host.AdminToken, "DELETE", "/api/v1/projects/red/members/bill", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(blue, "GET", $"/api/v1/jobs/{RedJob}", null)).StatusCode);
        Assert.Equal([AuditActions.ProjectMemberAdded, AuditActions.ProjectMemberRemoved],
            host.Audit.Records.Where(r => r.Action.StartsWith("project.", StringComparison.Ordinal)).Select(r => r.Action));
    }

    private async Task<HttpResponseMessage> Send(string token, string method, string path, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return await host.ClientWith(token).SendAsync(request);
    }

    private async Task<List<string>> Ids(string token, string path, string property)
    {
        var response = await Send(token, "GET", path, null);
        response.EnsureSuccessStatusCode();
        using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return page.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty(property).GetString()!).ToList();
    }

    private static async Task<string> Detail(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("detail").GetString()!;
    }
}
