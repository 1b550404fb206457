using System.Diagnostics;
using Caas.Contracts.Alerts;
using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;
using Caas.Monitoring.Grains;
using Caas.Monitoring.Grains.ReadModels;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class ReadModelTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private long _position;

    private JobState? Feed(JobListProjection jobs, AlertHarness alerts, IJobEvent e)
    {
        var job = jobs.Apply(e, ++_position);
        if (job is not null)
            alerts.Apply(e, job);
        return job;
    }

    [Fact]
    public void The_job_list_pages_newest_submission_first_and_filters_by_status()
    {
        var jobs = new JobListProjection();
        var alerts = new AlertHarness();
        for (var i = 0; i < 5; i++)
        {
            var job = new JobEvents($"job-000000000{i}", T0.AddMinutes(i));
            Feed(jobs, alerts, job.Submitted());
            if (i % 2 == 0)
            {
                Feed(jobs, alerts, job.Placed());
                Feed(jobs, alerts, job.Started(1));
            }
        }

        var first = jobs.List(0, 2, null);
        var second = jobs.List(2, 2, null);
        var running = jobs.List(1, 5, JobStatus.Running);

        Assert.Equal(5, first.Total);
        Assert.Equal(["job-0000000004", "job-0000000003"], first.Items.Select(j => j.JobId));
        Assert.Equal(["job-0000000002", "job-0000000001"], second.Items.Select(j => j.JobId));
        Assert.Equal(3, running.Total);
        Assert.Equal(["job-0000000002", "job-0000000000"], running.Items.Select(j => j.JobId));
        Assert.Equal(_position, jobs.Position);
    }

    [Fact]
    public void The_job_list_and_the_catalog_filter_by_project_before_paging_and_old_jobs_are_in_the_default_project()
    {
        var jobs = new JobListProjection();
        var catalog = new CheckpointCatalogProjection();
        var alerts = new AlertHarness();
        for (var i = 0; i < 6; i++)
        {
            var job = new JobEvents($"job-000000000{i}", T0.AddMinutes(i));
            var project = i % 3 == 0 ? JobProjects.Default : i % 3 == 1 ? "red" : "blue";
            Feed(jobs, alerts, job.Submitted(spec: JobEvents.Spec() with { Project = project }));
            var taken = new CheckpointTaken(job.JobId, new CheckpointInfo { Sequence = 1, NodeId = "node-1", TakenAt = T0.AddMinutes(i) }, T0.AddMinutes(i));
            catalog.Apply(taken, jobs.Apply(taken, ++_position)!);
        }

        var red = jobs.List(0, 1, null, ["red"]);
        var redOrBlue = jobs.List(1, 10, null, ["red", "blue"]);

        Assert.Equal(2, red.Total);
        Assert.Equal(["job-0000000004"], red.Items.Select(j => j.JobId));
        Assert.Equal(4, redOrBlue.Total);
        Assert.Equal(["job-0000000004", "job-0000000002", "job-0000000001"], redOrBlue.Items.Select(j => j.JobId));
        Assert.Equal(["red"], red.Items.Select(j => j.Project));
        Assert.Equal(0, jobs.List(0, 10, null, []).Total);
        Assert.Equal(2, jobs.List(0, 10, null, [JobProjects.Default]).Total);
        Assert.Equal(["job-0000000003", "job-0000000000"], catalog.List(new CheckpointCatalogFilter { Projects = [JobProjects.Default] }, 0, 10).Items.Select(c => c.JobId));
        Assert.Equal(new Dictionary<string, string> { ["job-0000000001"] = "red", ["job-0000000003"] = JobProjects.Default },
            jobs.ProjectsOf(["job-0000000001", "job-0000000003", "job-00000000ff"]));
    }

    [Fact]
    public void A_stored_submission_without_a_project_reads_as_the_default_project()
    {
        var stored = """{"jobId":"job-0000000001","spec":{"command":"/usr/bin/true"},"at":"2026-03-01T12:00:00+00:00"}""";

        var submitted = (JobSubmitted)new Caas.Monitoring.EventStore.EventSerializer().Deserialize("JobSubmitted", stored);

        Assert.Equal(JobProjects.Default, submitted.Spec.Project);
    }

    [Fact]
    public void Events_of_jobs_never_submitted_are_ignored()
    {
        var jobs = new JobListProjection();

        Assert.Null(jobs.Apply(new JobEvents("job-00000000ee", T0).Started(1), 1));
        Assert.Equal(0, jobs.List(0, 10, null).Total);
    }

    [Fact]
    public void A_stall_opens_an_alert_that_progress_resolves()
    {
        var jobs = new JobListProjection();
        var alerts = new AlertHarness();
        var job = new JobEvents("job-00000000a1", T0);
        foreach (var e in new IJobEvent[] { job.Submitted(), job.Placed(), job.Started(0), job.Progress(1, 0.1), job.Stalled(6, Guid.NewGuid(), 1, 5) })
            Feed(jobs, alerts, e);

        var open = Assert.Single(alerts.List(includeResolved: false));
        Assert.Equal(("stalled-" + job.JobId, job.JobId, "sleep", AlertKind.Stalled, "no progress for 00:00:05 (threshold 00:00:05)", job.At(6), AlertState.Firing),
            (open.Id, open.JobId, open.JobName, open.Kind, open.Message, open.RaisedAt, open.State));

        Feed(jobs, alerts, job.Heartbeat(7, 1, 0.1));
        Assert.Single(alerts.List(includeResolved: false));
        Feed(jobs, alerts, job.Progress(8, 0.2));

        Assert.Empty(alerts.List(includeResolved: false));
        Assert.Equal(job.At(8), Assert.Single(alerts.List(includeResolved: true)).ResolvedAt);
    }

    [Fact]
    public void A_failed_job_and_a_failed_recovery_open_alerts_that_a_restore_resolves()
    {
        var jobs = new JobListProjection();
        var alerts = new AlertHarness();
        var job = new JobEvents("job-00000000a2", T0);
        var incident = Guid.NewGuid();
        foreach (var e in new IJobEvent[]
        {
            job.Submitted(), job.Placed(), job.Started(0), job.CheckpointRequested(1, 1), job.CheckpointTaken(2, 1, null),
            job.Exited(3, 3, null, "exit code 3"), job.RecoveryFinished(4, incident, false, "no node can take the job"),
        })
            Feed(jobs, alerts, e);

        Assert.Equal(
            [(AlertKind.RecoveryFailed, "recovery gave up: no node can take the job"), (AlertKind.Failed, "exit code 3")],
            alerts.List(false).Select(a => (a.Kind, a.Message)));

        Feed(jobs, alerts, job.Restored(5, Guid.NewGuid(), 1));

        Assert.Empty(alerts.List(false));
        Assert.Equal(2, alerts.List(true).Count);
        Assert.All(alerts.List(true), a => Assert.Equal(job.At(5), a.ResolvedAt));
    }

    [Fact]
    public void A_job_killed_on_request_or_completed_raises_no_alert()
    {
        var jobs = new JobListProjection();
        var alerts = new AlertHarness();
        var killed = new JobEvents("job-00000000a3", T0);
        var done = new JobEvents("job-00000000a4", T0);
        foreach (var e in new IJobEvent[] { killed.Submitted(), killed.Placed(), killed.Started(0), killed.KillRequested(1), killed.Exited(2, null, 9, "killed on request") })
            Feed(jobs, alerts, e);
        foreach (var e in new IJobEvent[] { done.Submitted(), done.Placed(), done.Started(0), done.Exited(2, 0, null, "exit code 0") })
            Feed(jobs, alerts, e);

        Assert.Empty(alerts.List(includeResolved: true));
    }

    [Fact]
    public void Timeline_lines_read_as_the_portal_shows_them()
    {
        var job = new JobEvents("job-00000000a5", T0);
        var checkpoint = job.CheckpointTaken(4, 2, 0.5) with { Checkpoint = job.Checkpoint(4, 2, 0.5) with { SizeBytes = 3_250_586 } };

        Assert.Equal("checkpoint 2 taken: 3.1 MiB in 0.42 s", TimelineSummary.Describe(checkpoint));
        Assert.Equal("progress 41.0 %: count 410", TimelineSummary.Describe(job.Progress(1, 0.41, "count 410")));
        Assert.Equal("stalled: no progress for 00:00:05", TimelineSummary.Describe(job.Stalled(6.4, Guid.NewGuid(), 1)));
        Assert.Equal("exited: killed by signal 9 (SIGKILL)", TimelineSummary.Describe(job.Exited(7, null, 9, ExitDescription.Of(null, 9))));
        Assert.Equal("exit code 3", ExitDescription.Of(3, null));
    }

    [Fact]
    public void Ten_thousand_jobs_page_newest_first_with_the_right_totals()
    {
        var jobs = new JobListProjection();
        for (var i = 0; i < 10_000; i++)
        {
            var job = new JobEvents($"job-{i:x10}", T0.AddSeconds(i % 7 == 0 ? -i : i));
            jobs.Apply(job.Submitted(), i + 1);
        }

        // How fast is measured by the benchmark (portal.jobs_page_ms in bench/Silo.Benchmarks), not here.
        var page = jobs.List(5_000, 50, null);
        var filtered = jobs.List(0, 50, JobStatus.Queued);

        Assert.Equal(10_000, page.Total);
        Assert.Equal(50, page.Items.Count);
        Assert.Equal(10_000, filtered.Total);
        Assert.True(page.Items.Zip(page.Items.Skip(1)).All(p => p.First.SubmittedAt >= p.Second.SubmittedAt), "page is not newest first");
    }

    private JobListProjection FourJobs()
    {
        var jobs = new JobListProjection();
        var alerts = new AlertHarness();
        // a: running on node-1 at 30 %; b: running on node-2 (pool west) at 70 %; c: queued, asks for pool west; d: running on node-1, no progress.
        var a = new JobEvents("job-000000000a", T0);
        var b = new JobEvents("job-000000000b", T0.AddMinutes(1));
        var c = new JobEvents("job-000000000c", T0.AddMinutes(2));
        var d = new JobEvents("job-000000000d", T0.AddMinutes(3));
        foreach (var e in new IJobEvent[]
        {
            a.Submitted(spec: JobEvents.Spec() with { Name = "Render frames" }), a.Placed(), a.Started(1), a.Heartbeat(2, 1, 0.3), a.Progress(2, 0.3),
            b.Submitted(spec: JobEvents.Spec() with { Name = "train model", Args = ["--epochs", "40"] }), b.Placed(node: "node-2"), b.Started(1, node: "node-2"), b.Heartbeat(2, 1, 0.7, node: "node-2"), b.Progress(2, 0.7),
            c.Submitted(spec: JobEvents.Spec(pool: "west") with { Name = "analytics" }),
            d.Submitted(spec: JobEvents.Spec() with { Name = "render thumbnails" }), d.Placed(), d.Started(1),
        })
            Feed(jobs, alerts, e);
        return jobs;
    }

    private static string[] Ids(Page<JobSummary> page) => [.. page.Items.Select(j => j.JobId[^1..])];

    [Fact]
    public void The_job_list_searches_by_text_in_name_id_and_command_line_ignoring_case()
    {
        var jobs = FourJobs();

        Assert.Equal(["d", "a"], Ids(jobs.Search(new JobListQuery { Text = "RENDER" }, null)));
        Assert.Equal(["b"], Ids(jobs.Search(new JobListQuery { Text = "epochs" }, null)));
        Assert.Equal(["c"], Ids(jobs.Search(new JobListQuery { Text = "000000000c" }, null)));
        Assert.Equal(4, jobs.Search(new JobListQuery { Text = "/usr/bin/sleep" }, null).Total);
    }

    [Fact]
    public void The_job_list_filters_by_node_and_by_pool_through_the_pools_nodes_or_the_pool_asked_for()
    {
        var jobs = FourJobs();

        Assert.Equal(["d", "a"], Ids(jobs.Search(new JobListQuery { NodeId = "node-1" }, null)));
        Assert.Equal(["c", "b"], Ids(jobs.Search(new JobListQuery { Pool = "west" }, new HashSet<string> { "node-2" })));
        Assert.Equal(["d"], Ids(jobs.Search(new JobListQuery { Pool = "east", NodeId = "node-1", Text = "thumb" }, new HashSet<string> { "node-1" })));
        Assert.Equal(["a"], Ids(jobs.Search(new JobListQuery { Status = JobStatus.Running, Text = "frames" }, null)));
    }

    [Fact]
    public void The_job_list_sorts_either_way_with_jobs_lacking_a_value_last_and_pages_without_overlap()
    {
        var jobs = FourJobs();

        Assert.Equal(["b", "a", "d", "c"], Ids(jobs.Search(new JobListQuery { Sort = JobSortField.Progress, Descending = true }, null)));
        Assert.Equal(["a", "b", "d", "c"], Ids(jobs.Search(new JobListQuery { Sort = JobSortField.Progress, Descending = false }, null)));
        Assert.Equal(["c", "a", "d", "b"], Ids(jobs.Search(new JobListQuery { Sort = JobSortField.Name, Descending = false }, null)));
        Assert.Equal(["a", "b", "c", "d"], Ids(jobs.Search(new JobListQuery { Sort = JobSortField.Submitted, Descending = false }, null)));
        // Equal keys (two jobs on node-1) keep newest first, so consecutive pages of one row never repeat a job.
        var byNode = Enumerable.Range(0, 4).SelectMany(i => Ids(jobs.Search(new JobListQuery { Sort = JobSortField.Node, Descending = false, Skip = i, Take = 1 }, null))).ToArray();
        Assert.Equal(["d", "a", "b", "c"], byNode);
        var page = jobs.Search(new JobListQuery { Sort = JobSortField.Name, Skip = 1, Take = 2 }, null);
        Assert.Equal((4, 1, 2), (page.Total, page.Skip, page.Take));
        Assert.Equal(["d", "a"], Ids(page));
    }

    [Fact]
    public void A_checkpoint_that_stops_the_job_suspends_it_until_it_is_restored_and_a_kill_is_no_suspension()
    {
        var jobs = new JobListProjection();
        var job = new JobEvents("job-00000000a2", T0);
        foreach (var e in new IJobEvent[] { job.Submitted(), job.Placed(), job.Started(0), job.CheckpointRequested(5, 1, leaveRunning: false), job.CheckpointTaken(6, 1, 0.5, leaveRunning: false) })
            jobs.Apply(e, ++_position);
        var suspended = Assert.Single(jobs.List(0, 1, null).Items);
        Assert.Equal((JobStatus.Stopped, true), (suspended.Status, suspended.Suspended));

        var state = jobs.Apply(job.Restored(10, Guid.NewGuid(), 1, node: "node-1"), ++_position)!;
        Assert.False(state.ToView().Suspended);
        jobs.Apply(job.KillRequested(20), ++_position);
        state = jobs.Apply(job.Exited(21, null, 9, "killed on request"), ++_position)!;

        Assert.Equal((JobStatus.Stopped, false), (state.Status, state.ToView().Suspended));
    }
}
