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
    public void Ten_thousand_jobs_page_well_within_the_portals_budget()
    {
        var jobs = new JobListProjection();
        for (var i = 0; i < 10_000; i++)
        {
            var job = new JobEvents($"job-{i:x10}", T0.AddSeconds(i % 7 == 0 ? -i : i));
            jobs.Apply(job.Submitted(), i + 1);
        }

        var clock = Stopwatch.StartNew();
        var page = jobs.List(5_000, 50, null);
        var filtered = jobs.List(0, 50, JobStatus.Queued);
        clock.Stop();

        Assert.Equal(10_000, page.Total);
        Assert.Equal(50, page.Items.Count);
        Assert.Equal(10_000, filtered.Total);
        Assert.True(page.Items.Zip(page.Items.Skip(1)).All(p => p.First.SubmittedAt >= p.Second.SubmittedAt), "page is not newest first");
        Assert.True(clock.ElapsedMilliseconds < 300, $"paging took {clock.ElapsedMilliseconds} ms");
    }
}
