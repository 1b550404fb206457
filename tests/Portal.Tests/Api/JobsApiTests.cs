using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Caas.Portal.Tests.Api;

[Trait("Category", "Integration")]
public sealed class JobsApiTests : IAsyncLifetime
{
    private PortalApiHost host = null!;

    private HttpClient Client => host.Client;
    private FakeJobPlatform Platform => host.Platform;

    public async Task InitializeAsync() => host = await PortalApiHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Submit_returns_201_with_the_job_and_its_location()
    {
        var response = await PostJson("/api/v1/jobs", """
            {"command":"/usr/bin/sleep","args":["600"],"env":{"A":"1"},"name":"nap","stallThresholdSeconds":30,"onStall":"AlertOnly"}
            """);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var spec = Assert.Single(Platform.Submitted);
        Assert.Equal("/usr/bin/sleep", spec.Command);
        Assert.Equal(["600"], spec.Args);
        Assert.Equal("1", spec.Env["A"]);
        Assert.Equal(TimeSpan.FromSeconds(30), spec.StallThreshold);
        Assert.Equal(StallAction.AlertOnly, spec.OnStall);
        var job = Platform.Jobs.Single();
        Assert.Equal($"/api/v1/jobs/{job.JobId}", response.Headers.Location?.OriginalString);
        using var body = await Json(response);
        Assert.Equal(job.JobId, body.RootElement.GetProperty("jobId").GetString());
        Assert.Equal("Queued", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("nap", body.RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public async Task The_same_routes_answer_under_api_without_version()
    {
        var response = await PostJson("/api/jobs", """{"command":"/usr/bin/true"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var job = Platform.Jobs.Single();
        Assert.Equal($"/api/jobs/{job.JobId}", response.Headers.Location?.OriginalString);
        Assert.Equal(JobDefaults.StallThreshold, job.Spec.StallThreshold);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync($"/api/jobs/{job.JobId}")).StatusCode);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_and_submits_nothing()
    {
        var response = await PostJson("/api/v1/jobs", """{"command": "/usr/bin/true", """);

        var detail = await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.StartsWith("The request body is not acceptable JSON: malformed JSON", detail);
        Assert.Empty(Platform.Jobs);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_named_in_the_problem()
    {
        var response = await PostJson("/api/v1/jobs", """{"command":"/usr/bin/true","stallThresholdSeconds":"soon"}""");

        var detail = await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.StartsWith("The request body is not acceptable JSON: wrong type of value at '$.stallThresholdSeconds'", detail);
        Assert.Empty(Platform.Jobs);
    }

    [Fact]
    public async Task An_unknown_field_is_refused_rather_than_ignored()
    {
        var response = await PostJson("/api/v1/jobs", """{"command":"/usr/bin/true","stallThreshold":"00:00:30"}""");

        var detail = await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.StartsWith("The request body is not acceptable JSON: unknown field at '$.stallThreshold'", detail);
        Assert.Empty(Platform.Jobs);
    }

    [Fact]
    public async Task An_empty_command_is_refused_with_the_validator_s_words()
    {
        var response = await PostJson("/api/v1/jobs", """{"command":"  ","stallThresholdSeconds":1}""");

        var detail = await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal(
            "'command' is empty: give the program to run, e.g. \"/usr/bin/sleep\". 'stallThreshold' must be at least 2 seconds.",
            detail);
        Assert.Empty(Platform.Submitted);
    }

    [Fact]
    public async Task Starvation_settings_are_taken_in_seconds_and_bad_ones_are_refused_with_their_names()
    {
        var accepted = await PostJson("/api/v1/jobs", """{"command":"/usr/bin/true","starvationWindowSeconds":60,"starvationRatio":0.1}""");
        var tooShort = await PostJson("/api/v1/jobs", """{"command":"/usr/bin/true","starvationWindowSeconds":1}""");
        var badRatio = await PostJson("/api/v1/jobs", """{"command":"/usr/bin/true","starvationRatio":2}""");

        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        var spec = Assert.Single(Platform.Submitted);
        Assert.Equal((TimeSpan.FromSeconds(60), 0.1), (spec.StarvationWindow, spec.StarvationRatio));
        Assert.Equal("'starvationWindow' must be zero (off) or at least 2 seconds.", await AssertProblem(tooShort, HttpStatusCode.BadRequest));
        Assert.StartsWith("'starvationRatio' must be a fraction between 0 and 1", await AssertProblem(badRatio, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task A_memory_limit_is_taken_in_MiB_and_one_too_small_is_refused()
    {
        var accepted = await PostJson("/api/v1/jobs", """{"command":"/usr/bin/true","memoryLimitMiB":64}""");
        var tooSmall = await PostJson("/api/v1/jobs", """{"command":"/usr/bin/true","memoryLimitMiB":2}""");

        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(64L << 20, Assert.Single(Platform.Submitted).MemoryLimitBytes);
        Assert.Equal("'memoryLimit' must be at least 4 MiB.", await AssertProblem(tooSmall, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task A_distributed_job_is_taken_with_its_rank_count_and_what_ranks_cannot_have_is_a_400_problem()
    {
        var accepted = await PostJson("/api/v1/jobs", """{"command":"/opt/ring","ranks":2}""");
        var tooMany = await PostJson("/api/v1/jobs", """{"command":"/opt/ring","ranks":1000}""");
        var withDirectory = await PostJson("/api/v1/jobs", """{"command":"/opt/ring","ranks":2,"workingDirectory":"/tmp"}""");

        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(2, Assert.Single(Platform.Submitted).Ranks);
        Assert.Equal("'ranks' must be between 1 and 256 (one node per rank).", await AssertProblem(tooMany, HttpStatusCode.BadRequest));
        Assert.StartsWith("'workingDirectory' cannot be set for a distributed job", await AssertProblem(withDirectory, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task A_missing_body_is_refused()
    {
        var response = await Client.PostAsync("/api/v1/jobs", new StringContent("", Encoding.UTF8, "application/json"));

        Assert.Equal("The request needs a JSON body.", await AssertProblem(response, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task An_unknown_job_is_a_404_problem()
    {
        var response = await Client.GetAsync("/api/v1/jobs/job-00000000ff");

        Assert.Equal("No job has id 'job-00000000ff'.", await AssertProblem(response, HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task A_malformed_job_id_is_a_404_that_says_what_ids_look_like()
    {
        var response = await Client.PostAsync("/api/v1/jobs/..%2Fetc/kill", null);

        var detail = await AssertProblem(response, HttpStatusCode.NotFound);
        Assert.Contains("job ids look like 'job-' followed by 10 hex digits", detail);
        Assert.Empty(Platform.KillCalls);
    }

    [Fact]
    public async Task List_filters_by_status_and_writes_enums_as_strings()
    {
        var running = SampleJobs.Running("job-000000000a", "sim", 0.25, SampleJobs.Start);
        Platform.Jobs.Add(running);
        Platform.Jobs.Add(running with { JobId = "job-000000000b", Name = "done", Status = JobStatus.Completed, SubmittedAt = SampleJobs.Start.AddMinutes(1) });

        using var body = await Json(await Client.GetAsync("/api/v1/jobs?status=running&skip=0&take=10"));

        Assert.Equal(1, body.RootElement.GetProperty("total").GetInt32());
        var item = Assert.Single(body.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("job-000000000a", item.GetProperty("jobId").GetString());
        Assert.Equal("Running", item.GetProperty("status").GetString());
        Assert.Equal(0.25, item.GetProperty("progress").GetDouble());
        Assert.Equal(new JobListQuery { Take = 10, Status = JobStatus.Running }, Platform.Searches.Single());
    }

    [Theory]
    [InlineData("status=sleeping", "'status' must be one of Queued, Running, Restoring, Stopped, Completed, Failed, Lost; got 'sleeping'.")]
    [InlineData("take=0", "'take' must be between 1 and 500.")]
    [InlineData("skip=-1", "'skip' must be 0 or more.")]
    [InlineData("skip=ten", "'skip' must be a whole number; got 'ten'.")]
    [InlineData("sort=size", "'sort' must be one of Submitted, Name, Status, Node, Progress, LastHeartbeat; got 'size'.")]
    [InlineData("order=up", "'order' must be asc or desc; got 'up'.")]
    [InlineData("swappedOut=maybe", "'swappedOut' must be true or false; got 'maybe'.")]
    public async Task Bad_list_parameters_are_named(string query, string expected)
    {
        var response = await Client.GetAsync($"/api/v1/jobs?{query}");

        Assert.Equal(expected, await AssertProblem(response, HttpStatusCode.BadRequest));
        Assert.Empty(Platform.Searches);
    }

    [Theory]
    [InlineData("swappedOut=true", true)]
    [InlineData("swappedOut=false", false)]
    [InlineData("take=10", null)]
    public async Task The_list_asks_for_swapped_out_jobs_only_when_told(string query, bool? swappedOut)
    {
        using var _ = await Json(await Client.GetAsync($"/api/v1/jobs?{query}"));

        Assert.Equal(swappedOut, Platform.Searches.Single().SwappedOut);
    }

    [Fact]
    public async Task Lists_jobs_filtered_by_text_pool_and_node_sorted_as_asked()
    {
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-b", Pool = "west" });
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim-a", 0.25, SampleJobs.Start));
        Platform.Jobs.Add(SampleJobs.Running("job-000000000b", "sim-b", 0.75, SampleJobs.Start.AddSeconds(1)) with { NodeId = "node-b" });
        Platform.Jobs.Add(SampleJobs.Running("job-000000000c", "sim-c", 0.5, SampleJobs.Start.AddSeconds(2)) with { NodeId = "node-b" });
        Platform.Jobs.Add(SampleJobs.Running("job-000000000d", "other", 0.9, SampleJobs.Start.AddSeconds(3)) with { NodeId = "node-b" });

        using var body = await Json(await Client.GetAsync("/api/v1/jobs?q=sim&pool=west&node=node-b&sort=progress&order=asc&take=5"));

        Assert.Equal(2, body.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(["job-000000000c", "job-000000000b"], body.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("jobId").GetString()));
        Assert.Equal(new JobListQuery { Take = 5, Text = "sim", Pool = "west", NodeId = "node-b", Sort = JobSortField.Progress, Descending = false }, Platform.Searches.Single());
    }

    [Fact]
    public async Task Migrate_answers_202_with_the_target_and_refuses_a_body_naming_both_or_neither()
    {
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-b", Pool = "west" });
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start));

        var response = await Client.PostAsync("/api/v1/jobs/job-000000000a/migrate", new StringContent("""{"pool":"west"}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using (var body = await Json(response))
            Assert.Equal(("node-a", "node-b", 1), (body.RootElement.GetProperty("sourceNodeId").GetString(), body.RootElement.GetProperty("targetNodeId").GetString(), body.RootElement.GetProperty("sequence").GetInt32()));
        Assert.Equal([("job-000000000a", (string?)null, (string?)"west")], Platform.MigrateCalls);
        Assert.Contains("not both", await AssertProblem(await Client.PostAsync("/api/v1/jobs/job-000000000a/migrate", new StringContent("""{"node":"node-b","pool":"west"}""")), HttpStatusCode.BadRequest));
        await AssertProblem(await Client.PostAsync("/api/v1/jobs/job-000000000a/migrate", new StringContent("""{"target":"node-b"}""")), HttpStatusCode.BadRequest);
        Assert.Equal("No node agent 'node-z' has registered.", await AssertProblem(await Client.PostAsync("/api/v1/jobs/job-000000000a/migrate", new StringContent("""{"node":"node-z"}""")), HttpStatusCode.NotFound));
        Assert.Single(Platform.MigrateCalls);
    }

    [Fact]
    public async Task Samples_come_oldest_first_and_bad_takes_are_refused()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start));
        Platform.Samples["job-000000000a"] = [.. Enumerable.Range(0, 5).Select(i => new JobSamplePoint(SampleJobs.Start.AddSeconds(i), i * 0.5, 1024 * (i + 1), i / 10.0))];

        using var body = await Json(await Client.GetAsync("/api/v1/jobs/job-000000000a/samples?take=2"));

        Assert.Equal([3.0, 4.0], body.RootElement.EnumerateArray().Select(s => s.GetProperty("progress").GetDouble() * 10));
        Assert.Equal(4096, body.RootElement[0].GetProperty("rssBytes").GetInt64());
        Assert.Equal("'take' must be between 1 and 600.", await AssertProblem(await Client.GetAsync("/api/v1/jobs/job-000000000a/samples?take=601"), HttpStatusCode.BadRequest));
        await AssertProblem(await Client.GetAsync("/api/v1/jobs/job-00000000ff/samples"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Suspend_checkpoints_with_stop_and_resume_restores_from_that_checkpoint()
    {
        var job = SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start) with { Checkpoints = [SampleJobs.Checkpoint(1, 0.2, SampleJobs.Start)] };
        Platform.Jobs.Add(job);

        var suspended = await Client.PostAsync("/api/v1/jobs/job-000000000a/suspend", null);
        Assert.Equal(HttpStatusCode.Accepted, suspended.StatusCode);
        using (var body = await Json(suspended))
            Assert.Equal(2, body.RootElement.GetProperty("sequence").GetInt32());
        Assert.Equal([("job-000000000a", false)], Platform.CheckpointCalls);

        // Not suspended yet (the checkpoint has not been taken): resume is refused and restores nothing.
        Assert.Contains("not suspended", await AssertProblem(await Client.PostAsync("/api/v1/jobs/job-000000000a/resume", null), HttpStatusCode.Conflict));
        Assert.Empty(Platform.RestoreCalls);

        Platform.Update("job-000000000a", j => j with
        {
            Status = JobStatus.Stopped,
            Suspended = true,
            Checkpoints = [.. j.Checkpoints, SampleJobs.Checkpoint(2, 0.5, SampleJobs.Start.AddSeconds(30)) with { LeaveRunning = false }, SampleJobs.Checkpoint(3, 0.1, SampleJobs.Start.AddSeconds(40))],
        });
        var resumed = await Client.PostAsync("/api/v1/jobs/job-000000000a/resume", null);

        Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
        Assert.Equal([("job-000000000a", (int?)2)], Platform.RestoreCalls);
    }

    [Fact]
    public async Task Checkpoint_returns_202_with_the_new_sequence_and_passes_leave_running()
    {
        var job = SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start) with
        {
            Checkpoints = [SampleJobs.Checkpoint(1, 0.2, SampleJobs.Start)],
        };
        Platform.Jobs.Add(job);

        var response = await PostJson("/api/v1/jobs/job-000000000a/checkpoint", """{"leaveRunning":false}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("/api/v1/jobs/job-000000000a", response.Headers.Location?.OriginalString);
        using var body = await Json(response);
        Assert.Equal(2, body.RootElement.GetProperty("sequence").GetInt32());
        Assert.Equal([("job-000000000a", false)], Platform.CheckpointCalls);
    }

    [Fact]
    public async Task Checkpoint_without_a_body_leaves_the_job_running()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start));

        var response = await Client.PostAsync("/api/v1/jobs/job-000000000a/checkpoint", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal([("job-000000000a", true)], Platform.CheckpointCalls);
    }

    [Fact]
    public async Task Checkpoint_of_a_job_that_is_not_running_is_a_409()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start) with { Status = JobStatus.Queued });

        var response = await Client.PostAsync("/api/v1/jobs/job-000000000a/checkpoint", null);

        Assert.Equal("Job job-000000000a is Queued, not Running: only a running job can be checkpointed.",
            await AssertProblem(response, HttpStatusCode.Conflict));
        Assert.Empty(Platform.CheckpointCalls);
    }

    [Fact]
    public async Task A_refusal_for_lack_of_rights_from_the_platform_is_a_403()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start));
        Platform.RejectNext = new OperationRejectedException(RejectionKind.Forbidden, "Job job-000000000a belongs to another project.");

        var response = await Client.PostAsync("/api/v1/jobs/job-000000000a/kill", null);

        Assert.Equal("Job job-000000000a belongs to another project.", await AssertProblem(response, HttpStatusCode.Forbidden));
    }

    [Fact]
    public async Task Restore_from_an_unknown_checkpoint_is_a_404()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start) with
        {
            Checkpoints = [SampleJobs.Checkpoint(1, 0.2, SampleJobs.Start)],
        });

        var response = await PostJson("/api/v1/jobs/job-000000000a/restore", """{"sequence":9}""");

        Assert.Equal("Job job-000000000a has no checkpoint 9.", await AssertProblem(response, HttpStatusCode.NotFound));
        Assert.Empty(Platform.RestoreCalls);
    }

    [Fact]
    public async Task Restore_returns_202_with_the_incident()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start) with
        {
            Checkpoints = [SampleJobs.Checkpoint(1, 0.2, SampleJobs.Start), SampleJobs.Checkpoint(2, 0.4, SampleJobs.Start)],
        });

        var withSequence = await PostJson("/api/v1/jobs/job-000000000a/restore", """{"sequence":1}""");
        var newest = await Client.PostAsync("/api/v1/jobs/job-000000000a/restore", null);

        Assert.Equal(HttpStatusCode.Accepted, withSequence.StatusCode);
        using var body = await Json(withSequence);
        Assert.Equal(FakeJobPlatform.RestoreIncident, body.RootElement.GetProperty("incidentId").GetGuid());
        Assert.Equal(HttpStatusCode.Accepted, newest.StatusCode);
        Assert.Equal([("job-000000000a", (int?)1), ("job-000000000a", null)], Platform.RestoreCalls);
    }

    [Fact]
    public async Task Kill_returns_202_and_an_unknown_job_is_a_404()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start));

        var killed = await Client.PostAsync("/api/v1/jobs/job-000000000a/kill", null);
        var unknown = await Client.PostAsync("/api/v1/jobs/job-00000000ff/kill", null);

        Assert.Equal(HttpStatusCode.Accepted, killed.StatusCode);
        Assert.Equal(["job-000000000a"], Platform.KillCalls);
        Assert.Equal("No job has id 'job-00000000ff'.", await AssertProblem(unknown, HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Events_are_paged_newest_first_and_an_unknown_job_has_none()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start));
        Platform.Timelines["job-000000000a"] =
        [
            SampleJobs.Event(0, "JobSubmitted", "submitted", SampleJobs.Start),
            SampleJobs.Event(1, "JobPlaced", "placed on node-a", SampleJobs.Start.AddSeconds(1)),
            SampleJobs.Event(2, "JobStarted", "started as pid 4242", SampleJobs.Start.AddSeconds(2)),
        ];

        using var body = await Json(await Client.GetAsync("/api/v1/jobs/job-000000000a/events?skip=1&take=1"));
        var unknown = await Client.GetAsync("/api/v1/jobs/job-00000000ff/events");

        Assert.Equal(3, body.RootElement.GetProperty("total").GetInt32());
        var entry = Assert.Single(body.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("JobPlaced", entry.GetProperty("type").GetString());
        Assert.Equal(1, entry.GetProperty("version").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_jobs_recovery_incidents_are_listed_newest_first_and_an_unknown_job_has_none()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start));
        var older = Guid.Parse("00000000-0000-4000-8000-000000000001");
        var newer = Guid.Parse("00000000-0000-4000-8000-000000000002");
        Platform.Incidents.Add(new RecoveryIncident
        {
            IncidentId = older, JobId = "job-000000000a", State = "Recovered", Reason = "stalled", StartedAt = SampleJobs.Start,
            Succeeded = true, Outcome = "restored from checkpoint 1",
            Steps = [new RecoveryStep(SampleJobs.Start, "restore requested", "checkpoint 1 on node-a")],
        });
        Platform.Incidents.Add(new RecoveryIncident
        {
            IncidentId = newer, JobId = "job-000000000a", State = "Restoring", Reason = "restore requested by a user", StartedAt = SampleJobs.Start.AddMinutes(1),
        });

        using var body = await Json(await Client.GetAsync("/api/v1/jobs/job-000000000a/incidents"));
        var unknown = await Client.GetAsync("/api/v1/jobs/job-00000000ff/incidents");

        var incidents = body.RootElement.EnumerateArray().ToList();
        Assert.Equal([newer.ToString(), older.ToString()], incidents.Select(i => i.GetProperty("incidentId").GetString()));
        Assert.Equal("restored from checkpoint 1", incidents[1].GetProperty("outcome").GetString());
        Assert.Equal("restore requested", incidents[1].GetProperty("steps")[0].GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Alerts_and_nodes_are_listed()
    {
        host.Alerts.Alerts.Add(new AlertView { Id = "stalled-job-000000000a", JobId = "job-000000000a", JobName = "sim", Kind = AlertKind.Stalled, Message = "no progress for 40 s", RaisedAt = SampleJobs.Start });
        host.Alerts.Alerts.Add(new AlertView { Id = "failed-job-000000000b", JobId = "job-000000000b", JobName = "old", Kind = AlertKind.Failed, State = AlertState.Resolved, Message = "exit 3", RaisedAt = SampleJobs.Start, ResolvedAt = SampleJobs.Start.AddMinutes(1) });
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-a", Pool = "cloud-1", JobSlots = 4, RunningJobs = 1, Engine = "criu 4.2.1", LastHeartbeatAt = SampleJobs.Start });

        using var open = await Json(await Client.GetAsync("/api/v1/alerts"));
        using var all = await Json(await Client.GetAsync("/api/v1/alerts?includeResolved=true"));
        using var nodes = await Json(await Client.GetAsync("/api/v1/nodes"));

        var alert = Assert.Single(open.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("Stalled", alert.GetProperty("kind").GetString());
        Assert.Equal(2, all.RootElement.GetProperty("total").GetInt32());
        var node = Assert.Single(nodes.RootElement.EnumerateArray());
        Assert.Equal("cloud-1", node.GetProperty("pool").GetString());
        Assert.Equal("criu 4.2.1", node.GetProperty("engine").GetString());
    }

    [Fact]
    public async Task An_operator_drains_and_undrains_a_node_and_an_unknown_node_is_404()
    {
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-a", Pool = "cloud-1", JobSlots = 4, Engine = "criu 4.2.1", LastHeartbeatAt = SampleJobs.Start });

        using var drained = await Json(await Client.PostAsync("/api/v1/nodes/node-a/drain", null));
        Assert.True(drained.RootElement.GetProperty("drained").GetBoolean());
        Assert.True(Platform.Nodes.Single().Drained);
        using var undrained = await Json(await Client.PostAsync("/api/v1/nodes/node-a/undrain", null));
        Assert.False(undrained.RootElement.GetProperty("drained").GetBoolean());

        var detail = await AssertProblem(await Client.PostAsync("/api/v1/nodes/nobody/drain", null), HttpStatusCode.NotFound);
        Assert.Equal("No node agent 'nobody' has registered.", detail);
    }

    [Fact]
    public async Task A_failure_of_the_platform_is_a_500_problem_without_internals()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start));
        Platform.RejectNext = new InvalidOperationException("secret connection string in here");

        var response = await Client.PostAsync("/api/v1/jobs/job-000000000a/kill", null);

        var detail = await AssertProblem(response, HttpStatusCode.InternalServerError);
        Assert.StartsWith("The platform could not complete the request; the server log has the cause", detail);
        Assert.DoesNotContain("secret", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_openapi_document_describes_the_versioned_routes()
    {
        using var document = await Json(await Client.GetAsync("/openapi/v1.json"));

        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/jobs", paths);
        Assert.Contains("/api/v1/jobs/{id}/restore", paths);
        Assert.DoesNotContain("/api/jobs", paths);
        var submit = document.RootElement.GetProperty("paths").GetProperty("/api/v1/jobs").GetProperty("post");
        Assert.True(submit.GetProperty("requestBody").GetProperty("required").GetBoolean());
        Assert.True(submit.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
    }

    [Fact]
    public async Task A_json_body_sent_without_a_json_content_type_is_still_read()
    {
        // curl -d sends application/x-www-form-urlencoded unless told otherwise.
        var response = await Client.PostAsync("/api/v1/jobs", new StringContent("""{"command":"/usr/bin/true"}""", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/usr/bin/true", Assert.Single(Platform.Submitted).Command);
    }

    [Fact]
    public async Task The_portal_page_and_its_assets_are_served()
    {
        using var browser = await host.LoggedInBrowserAsync();
        var html = await browser.GetStringAsync("/");
        // Assets are public: the login page needs the CSS before anyone has logged in.
        var css = await host.ClientWith(null).GetAsync("/_content/Web.Portal/caas.css");
        var script = await host.ClientWith(null).GetAsync("/_framework/blazor.web.js");

        Assert.Contains("No jobs yet", html);
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Contains(".topbar", await css.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 10_000, "blazor.web.js is served empty");
    }

    [Fact]
    public async Task An_unknown_api_route_is_a_404_problem_naming_it()
    {
        var response = await Client.GetAsync("/api/v1/jobz");

        Assert.Equal("There is no API route GET /api/v1/jobz; the routes are listed in /openapi/v1.json.",
            await AssertProblem(response, HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task The_job_page_is_prerendered_with_the_job()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "simulation", 0.25, SampleJobs.Start));

        using var browser = await host.LoggedInBrowserAsync();
        var html = await browser.GetStringAsync("/jobs/job-000000000a");

        Assert.Contains("<h1>simulation</h1>", html);
        Assert.Contains("data-testid=\"job-status\">Running</span>", html);
    }

    private Task<HttpResponseMessage> PostJson(string path, string json) =>
        Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<JsonDocument> Json(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem.GetProperty("detail").GetString()!;
    }
}
