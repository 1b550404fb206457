using Caas.Web.Portal.Components.Pages;
using Caas.Web.Portal.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Portal.Tests.Components;

[Trait("Category", "Component")]
public sealed class DashboardTests : PortalTestContext
{
    [Fact]
    public void Counts_jobs_in_every_state_with_one_server_side_count_per_state()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "a", 0.1, SampleJobs.Start));
        Platform.Jobs.Add(SampleJobs.Running("job-000000000b", "b", 0.2, SampleJobs.Start.AddSeconds(1)));
        Platform.Jobs.Add(SampleJobs.Running("job-000000000c", "c", 0.3, SampleJobs.Start.AddSeconds(2)) with { Status = JobStatus.Failed });
        Platform.Jobs.Add(SampleJobs.Running("job-000000000d", "d", 0, SampleJobs.Start.AddSeconds(3)) with { Status = JobStatus.Queued, NodeId = null });

        var cut = Render<Dashboard>();

        Assert.Equal(
            ["Queued=1", "Running=2", "Restoring=0", "Stopped=0", "Completed=0", "Failed=1", "Lost=0"],
            cut.FindAll("[data-testid=job-count]").Select(c => $"{c.GetAttribute("data-status")}={c.QuerySelector("[data-testid=job-count-value]")!.TextContent}"));
        Assert.Equal(Enum.GetValues<JobStatus>().Select(s => (0, 1, (JobStatus?)s)), Platform.ListCalls);
        Assert.Empty(cut.FindAll("[data-testid=no-jobs]"));
    }

    [Fact]
    public void Each_count_links_to_the_job_list_filtered_to_its_state()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "simulation", 0.1, SampleJobs.Start));
        Platform.Jobs.Add(SampleJobs.Running("job-000000000b", "training", 0.2, SampleJobs.Start.AddSeconds(1)) with { Status = JobStatus.Failed });
        var dashboard = Render<Dashboard>();
        var link = dashboard.Find("[data-testid=job-count][data-status=Failed]").GetAttribute("href")!;
        Assert.Equal("jobs?status=Failed", link);

        Services.GetRequiredService<NavigationManager>().NavigateTo(link);
        var list = Render<JobList>();

        Assert.Equal(new JobListQuery { Take = JobList.PageSize, Status = JobStatus.Failed }, Platform.Searches[^1] with { Projects = null });
        Assert.Equal(["training"], list.FindAll("[data-testid=job-name]").Select(n => n.TextContent));
        Assert.Equal("Failed", list.Find("[data-testid=status-filter]").GetAttribute("value"));
    }

    [Fact]
    public void A_job_list_address_with_an_unknown_state_says_so_and_shows_all_jobs()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "simulation", 0.1, SampleJobs.Start));
        Services.GetRequiredService<NavigationManager>().NavigateTo("jobs?status=1");

        var list = Render<JobList>();

        Assert.Equal("There is no job state '1'; showing all jobs. The states are Queued, Running, Restoring, Stopped, Completed, Failed, Lost.",
            list.Find("[data-testid=status-problem]").TextContent);
        Assert.Equal(new JobListQuery { Take = JobList.PageSize }, Platform.Searches[^1] with { Projects = null });
        Assert.Single(list.FindAll("[data-testid=job-row]"));
    }

    [Fact]
    public void Lists_open_alerts_with_links_to_their_jobs_and_leaves_resolved_ones_out()
    {
        Platform.Alerts.Add(new AlertView { JobId = "job-000000000a", JobName = "simulation", Kind = AlertKind.Stalled, Message = "no progress for 40 s", RaisedAt = SampleJobs.Start });
        Platform.Alerts.Add(new AlertView { JobId = "job-000000000b", JobName = "training", Kind = AlertKind.Failed, Message = "exited with code 3", RaisedAt = SampleJobs.Start.AddSeconds(30) });
        Platform.Alerts.Add(new AlertView { JobId = "job-000000000c", JobName = "old", Kind = AlertKind.Failed, Message = "gone", RaisedAt = SampleJobs.Start, ResolvedAt = SampleJobs.Start.AddSeconds(5) });

        var cut = Render<Dashboard>();

        var items = cut.FindAll("[data-testid=dashboard-alert]");
        Assert.Equal(["jobs/job-000000000a", "jobs/job-000000000b"], items.Select(i => i.QuerySelector("[data-testid=dashboard-alert-job]")!.GetAttribute("href")));
        Assert.Equal(["simulation", "training"], items.Select(i => i.QuerySelector("[data-testid=dashboard-alert-job]")!.TextContent));
        Assert.Contains("no progress for 40 s", items[0].TextContent);
        Assert.Contains("30 s ago", items[1].TextContent);
        Assert.Empty(cut.FindAll("[data-testid=no-alerts]"));
    }

    [Fact]
    public void Groups_nodes_by_pool_with_their_load_engine_and_heartbeat()
    {
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-c", Pool = "gpu", JobSlots = 2, RunningJobs = 2, Engine = "criu 4.2.1", LastHeartbeatAt = SampleJobs.Start.AddSeconds(55) });
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-b", Pool = "cpu", JobSlots = 2, RunningJobs = 0, EngineProblem = "criu check failed", LastHeartbeatAt = SampleJobs.Start.AddSeconds(58) });
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-a", Pool = "cpu", JobSlots = 4, RunningJobs = 3, Engine = "criu 4.2.1", LastHeartbeatAt = SampleJobs.Start.AddSeconds(59) });

        var cut = Render<Dashboard>();

        var pools = cut.FindAll("[data-testid=pool]");
        Assert.Equal(["cpu", "gpu"], pools.Select(p => p.GetAttribute("data-pool")));
        Assert.Equal("3 / 6 slots busy", pools[0].QuerySelector("[data-testid=pool-load]")!.TextContent);
        Assert.Equal("2 / 2 slots busy", pools[1].QuerySelector("[data-testid=pool-load]")!.TextContent);
        var cpuNodes = pools[0].QuerySelectorAll("[data-testid=dashboard-node]");
        Assert.Equal(["node-a", "node-b"], cpuNodes.Select(n => n.GetAttribute("data-node-id")));
        Assert.Equal("3 / 4", cpuNodes[0].QuerySelector("[data-testid=node-load]")!.TextContent);
        Assert.Equal("criu 4.2.1", cpuNodes[0].QuerySelector("[data-testid=node-engine]")!.TextContent);
        Assert.Equal("1 s ago", cpuNodes[0].QuerySelector("[data-testid=node-heartbeat]")!.TextContent);
        Assert.Equal("unusable: criu check failed", cpuNodes[1].QuerySelector("[data-testid=node-engine-problem]")!.TextContent);
        Assert.Equal(["node-c"], pools[1].QuerySelectorAll("[data-testid=dashboard-node]").Select(n => n.GetAttribute("data-node-id")));
    }

    [Fact]
    public void An_empty_platform_says_what_to_do_next()
    {
        var cut = Render<Dashboard>();

        Assert.All(cut.FindAll("[data-testid=job-count-value]"), c => Assert.Equal("0", c.TextContent));
        Assert.Contains("No jobs yet.", cut.Find("[data-testid=no-jobs]").TextContent);
        Assert.Contains("Nothing is firing.", cut.Find("[data-testid=no-alerts]").TextContent);
        Assert.Contains("No agent has sent a heartbeat yet.", cut.Find("[data-testid=no-nodes]").TextContent);
    }

    [Fact]
    public void Refreshes_itself_every_second()
    {
        var cut = Render<Dashboard>();
        Assert.Equal("0", cut.Find("[data-testid=job-count][data-status=Running] [data-testid=job-count-value]").TextContent);

        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "simulation", 0.1, SampleJobs.Start));
        Platform.Alerts.Add(new AlertView { JobId = "job-000000000a", JobName = "simulation", Kind = AlertKind.Stalled, Message = "stalled", RaisedAt = SampleJobs.Start });
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-a", Pool = "cpu", JobSlots = 4, RunningJobs = 1, Engine = "criu 4.2.1", LastHeartbeatAt = SampleJobs.Start.AddSeconds(59) });
        Clock.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("1", cut.Find("[data-testid=job-count][data-status=Running] [data-testid=job-count-value]").TextContent);
            Assert.Single(cut.FindAll("[data-testid=dashboard-alert]"));
            Assert.Equal("2 s ago", cut.Find("[data-testid=node-heartbeat]").TextContent);
        });
    }

    [Fact]
    public void A_viewer_sees_the_whole_dashboard()
    {
        LogInAs("vera", CaasRoles.Viewer);
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "simulation", 0.1, SampleJobs.Start));
        Platform.Alerts.Add(new AlertView { JobId = "job-000000000a", JobName = "simulation", Kind = AlertKind.Stalled, Message = "stalled", RaisedAt = SampleJobs.Start });
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-a", Pool = "cpu", JobSlots = 4, RunningJobs = 1, Engine = "criu 4.2.1", LastHeartbeatAt = SampleJobs.Start });

        var cut = Render<Dashboard>();

        Assert.Equal("1", cut.Find("[data-testid=job-count][data-status=Running] [data-testid=job-count-value]").TextContent);
        Assert.Single(cut.FindAll("[data-testid=dashboard-alert]"));
        Assert.Single(cut.FindAll("[data-testid=dashboard-node]"));
    }
}
