using Caas.Web.Portal.Components.Pages;

namespace Caas.Portal.Tests.Components;

[Trait("Category", "Component")]
public sealed class JobListTests : PortalTestContext
{
    [Fact]
    public void Shows_each_job_it_is_given_with_status_progress_and_heartbeat()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "simulation", 0.25, SampleJobs.Start));
        Platform.Jobs.Add(SampleJobs.Running("job-000000000b", "training", 0.875, SampleJobs.Start.AddSeconds(1)) with
        {
            Status = JobStatus.Failed,
            Stalled = true,
            Checkpoints = [SampleJobs.Checkpoint(1, 0.5, SampleJobs.Start)],
        });

        var cut = Render<JobList>();

        var rows = cut.FindAll("[data-testid=job-row]");
        Assert.Equal(2, rows.Count);
        // Newest first, as the platform orders them.
        Assert.Equal("job-000000000b", rows[0].GetAttribute("data-job-id"));
        Assert.Equal("training", rows[0].QuerySelector("[data-testid=job-name]")!.TextContent);
        Assert.Equal("Failed", rows[0].QuerySelector("[data-testid=job-status]")!.TextContent);
        Assert.Equal("87.5%", rows[0].QuerySelector("[data-testid=job-progress]")!.TextContent);
        Assert.Equal("1", rows[0].QuerySelector("[data-testid=job-checkpoints]")!.TextContent);
        Assert.NotNull(rows[0].QuerySelector("[data-testid=job-stalled]"));
        Assert.Equal("simulation", rows[1].QuerySelector("[data-testid=job-name]")!.TextContent);
        Assert.Equal("Running", rows[1].QuerySelector("[data-testid=job-status]")!.TextContent);
        Assert.Equal("25%", rows[1].QuerySelector("[data-testid=job-progress]")!.TextContent);
        Assert.Equal("3 s ago", rows[1].QuerySelector("[data-testid=job-heartbeat]")!.TextContent);
        Assert.Null(rows[1].QuerySelector("[data-testid=job-stalled]"));
        Assert.Equal("jobs/job-000000000a", rows[1].QuerySelector("a")!.GetAttribute("href"));
        Assert.Empty(cut.FindAll("[data-testid=empty-state]"));
    }

    [Fact]
    public void Refreshes_itself_every_second()
    {
        var cut = Render<JobList>();
        Assert.Single(cut.FindAll("[data-testid=empty-state]"));

        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "simulation", 0.25, SampleJobs.Start));
        Clock.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=job-row]")));
        Platform.Update("job-000000000a", j => j with { Progress = 0.5 });
        Clock.Advance(TimeSpan.FromSeconds(1));
        cut.WaitForAssertion(() => Assert.Equal("50%", cut.Find("[data-testid=job-progress]").TextContent));
    }

    [Fact]
    public void The_empty_state_runs_the_bundled_demo_and_opens_its_page()
    {
        var cut = Render<JobList>();

        Assert.Contains("caas checkpoints unmodified Linux jobs", cut.Find("[data-testid=empty-state]").TextContent);
        cut.Find("[data-testid=run-demo]").Click();

        var spec = Assert.Single(Platform.Submitted);
        Assert.Equal("/opt/caas/bin/counter", spec.Command);
        Assert.Equal(["--target", "100000", "--rate", "10"], spec.Args);
        Assert.Equal("demo counter", spec.Name);
        Assert.Equal(TimeSpan.FromSeconds(30), spec.StallThreshold);
        Assert.Equal($"/jobs/{Platform.Jobs.Single().JobId}", CurrentPath);
    }

    [Fact]
    public void Without_a_configured_demo_the_empty_state_says_why_there_is_no_button()
    {
        DemoCommand = null;

        var cut = Render<JobList>();

        Assert.Empty(cut.FindAll("[data-testid=run-demo]"));
        Assert.Contains("Caas:Portal:DemoCommand", cut.Find("[data-testid=demo-unavailable]").TextContent);
    }

    [Fact]
    public void Filters_by_status_on_the_server()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "simulation", 0.25, SampleJobs.Start));
        var cut = Render<JobList>();

        cut.Find("[data-testid=status-filter]").Change("Failed");

        Assert.Equal((0, JobList.PageSize, JobStatus.Failed), Platform.ListCalls[^1]);
        Assert.Equal("No job is Failed right now.", cut.Find("[data-testid=no-match]").TextContent);
    }

    [Fact]
    public void Pages_through_jobs_on_the_server()
    {
        for (var i = 0; i < JobList.PageSize + 3; i++)
            Platform.Jobs.Add(SampleJobs.Running($"job-{i:x10}", $"job {i}", 0.1, SampleJobs.Start.AddSeconds(i)));
        var cut = Render<JobList>();
        Assert.Equal($"1–{JobList.PageSize} of {JobList.PageSize + 3}", cut.Find("[data-testid=page-range]").TextContent);

        cut.Find("[data-testid=page-next]").Click();

        Assert.Equal((JobList.PageSize, JobList.PageSize, (JobStatus?)null), Platform.ListCalls[^1]);
        Assert.Equal(3, cut.FindAll("[data-testid=job-row]").Count);
        Assert.Equal("job 0", cut.FindAll("[data-testid=job-name]")[^1].TextContent);
    }
}
