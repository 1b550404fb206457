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

        Assert.Equal(new JobListQuery { Take = JobList.PageSize, Status = JobStatus.Failed }, Platform.Searches[^1] with { Projects = null });
        Assert.StartsWith("No job is Failed right now.", cut.Find("[data-testid=no-match]").TextContent);

        cut.Find("[data-testid=clear-filters]").Click();

        Assert.Equal(new JobListQuery { Take = JobList.PageSize }, Platform.Searches[^1] with { Projects = null });
        Assert.Single(cut.FindAll("[data-testid=job-row]"));
    }

    [Fact]
    public void Pages_through_jobs_on_the_server()
    {
        for (var i = 0; i < JobList.PageSize + 3; i++)
            Platform.Jobs.Add(SampleJobs.Running($"job-{i:x10}", $"job {i}", 0.1, SampleJobs.Start.AddSeconds(i)));
        var cut = Render<JobList>();
        Assert.Equal($"1–{JobList.PageSize} of {JobList.PageSize + 3}", cut.Find("[data-testid=page-range]").TextContent);

        cut.Find("[data-testid=page-next]").Click();

        Assert.Equal(new JobListQuery { Skip = JobList.PageSize, Take = JobList.PageSize }, Platform.Searches[^1] with { Projects = null });
        Assert.Equal(3, cut.FindAll("[data-testid=job-row]").Count);
        Assert.Equal("job 0", cut.FindAll("[data-testid=job-name]")[^1].TextContent);
    }

    [Fact]
    public void Searches_by_text_pool_and_node_on_the_server_and_combines_them()
    {
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-a", Pool = "east" });
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-b", Pool = "west" });
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "simulation", 0.25, SampleJobs.Start));
        Platform.Jobs.Add(SampleJobs.Running("job-000000000b", "training", 0.5, SampleJobs.Start.AddSeconds(1)) with { NodeId = "node-b" });
        Platform.Jobs.Add(SampleJobs.Running("job-000000000c", "simulation 2", 0.75, SampleJobs.Start.AddSeconds(2)) with { NodeId = "node-b" });
        var cut = Render<JobList>();
        Assert.Equal(["", "east", "west"], cut.FindAll("[data-testid=pool-filter] option").Select(o => o.GetAttribute("value")));

        cut.Find("[data-testid=text-filter]").Change("SIMUL");
        Assert.Equal(["simulation 2", "simulation"], cut.FindAll("[data-testid=job-name]").Select(n => n.TextContent));

        cut.Find("[data-testid=pool-filter]").Change("west");
        // Only the pool's nodes are offered, and the list holds the matching jobs in that pool.
        Assert.Equal(["", "node-b"], cut.FindAll("[data-testid=node-filter] option").Select(o => o.GetAttribute("value")));
        Assert.Equal(["simulation 2"], cut.FindAll("[data-testid=job-name]").Select(n => n.TextContent));
        Assert.Equal(new JobListQuery { Take = JobList.PageSize, Text = "SIMUL", Pool = "west" }, Platform.Searches[^1] with { Projects = null });

        cut.Find("[data-testid=text-filter]").Change("");
        cut.Find("[data-testid=node-filter]").Change("node-b");
        Assert.Equal(new JobListQuery { Take = JobList.PageSize, Pool = "west", NodeId = "node-b" }, Platform.Searches[^1] with { Projects = null });
        Assert.Equal(["simulation 2", "training"], cut.FindAll("[data-testid=job-name]").Select(n => n.TextContent));

        cut.Find("[data-testid=status-filter]").Change("Failed");
        Assert.Equal("No job is Failed and is in pool west and is on node node-b right now. Show all jobs", cut.Find("[data-testid=no-match]").TextContent);
    }

    [Fact]
    public void Column_headers_sort_on_the_server_and_a_second_click_turns_the_order_around()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "beta", 0.25, SampleJobs.Start));
        Platform.Jobs.Add(SampleJobs.Running("job-000000000b", "alpha", 0.75, SampleJobs.Start.AddSeconds(1)));
        Platform.Jobs.Add(SampleJobs.Running("job-000000000c", "gamma", 0.5, SampleJobs.Start.AddSeconds(2)));
        var cut = Render<JobList>();
        Assert.Equal("descending", cut.Find("th:has([data-testid=sort-submitted])").GetAttribute("aria-sort"));

        cut.Find("[data-testid=sort-name]").Click();
        Assert.Equal(["alpha", "beta", "gamma"], cut.FindAll("[data-testid=job-name]").Select(n => n.TextContent));
        Assert.Equal(new JobListQuery { Take = JobList.PageSize, Sort = JobSortField.Name, Descending = false }, Platform.Searches[^1] with { Projects = null });
        Assert.Equal("ascending", cut.Find("th:has([data-testid=sort-name])").GetAttribute("aria-sort"));

        cut.Find("[data-testid=sort-name]").Click();
        Assert.Equal(["gamma", "beta", "alpha"], cut.FindAll("[data-testid=job-name]").Select(n => n.TextContent));

        cut.Find("[data-testid=sort-progress]").Click();
        Assert.Equal(["alpha", "gamma", "beta"], cut.FindAll("[data-testid=job-name]").Select(n => n.TextContent));
        Assert.Equal(new JobListQuery { Take = JobList.PageSize, Sort = JobSortField.Progress, Descending = true }, Platform.Searches[^1] with { Projects = null });
    }

    [Fact]
    public void A_suspended_job_is_shown_as_suspended()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "simulation", 0.25, SampleJobs.Start) with { Status = JobStatus.Stopped, Suspended = true });

        var cut = Render<JobList>();

        Assert.Equal("Suspended", cut.Find("[data-testid=job-status]").TextContent);
    }

    [Fact]
    public void A_swapped_out_job_is_shown_as_swapped_out_for_the_job_that_took_its_place()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "simulation", 0.25, SampleJobs.Start) with
        {
            Status = JobStatus.Stopped, SwappedOut = true, SwappedOutFor = "job-00000000ff",
            StatusReason = "swapped out to checkpoint 2: job job-00000000ff (priority 5) took its slot on node node-1; this job's priority is 0",
        });

        var cut = Render<JobList>();

        Assert.Equal("Swapped out", cut.Find("[data-testid=job-status]").TextContent);
        Assert.Equal("for job-00000000ff", cut.Find("[data-testid=job-swapped-for]").TextContent);
        Assert.Equal("jobs/job-00000000ff", cut.Find("[data-testid=job-swapped-for] a").GetAttribute("href"));
    }

    [Fact]
    public void The_project_filter_offers_the_users_projects_and_lists_only_the_chosen_ones_jobs()
    {
        Memberships.Projects["olga"] = ["red", "blue"];
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "red sim", 0.25, SampleJobs.Start) with { Spec = new JobSpec { Command = "/bin/true", Project = "red" } });
        Platform.Jobs.Add(SampleJobs.Running("job-000000000b", "blue sim", 0.5, SampleJobs.Start.AddSeconds(1)) with { Spec = new JobSpec { Command = "/bin/true", Project = "blue" } });
        var cut = Render<JobList>();
        Assert.Equal(["", "blue", "red"], cut.FindAll("[data-testid=project-filter] option").Select(o => o.GetAttribute("value")));

        cut.Find("[data-testid=project-filter]").Change("red");

        Assert.Equal(["red sim"], cut.FindAll("[data-testid=job-name]").Select(n => n.TextContent));
        Assert.Equal(["red"], Platform.Searches[^1].Projects);
        cut.Find("[data-testid=text-filter]").Change("nothing like it");
        Assert.Contains("is in project red", cut.Find("[data-testid=no-match]").TextContent, StringComparison.Ordinal);
    }
}
