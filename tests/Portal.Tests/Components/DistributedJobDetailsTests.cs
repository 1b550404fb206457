using Caas.Web.Portal.Components.Pages;

namespace Caas.Portal.Tests.Components;

/// <summary>The job page of a distributed job: its ranks (rank, node, address, state, last activity) and each coordinated checkpoint as one entry with its ranks.</summary>
[Trait("Category", "Component")]
public sealed class DistributedJobDetailsTests : PortalTestContext
{
    private const string JobId = "job-00000000d1";

    private static readonly CheckpointInfo Coordinated = SampleJobs.Checkpoint(1, 0.2, SampleJobs.Start.AddSeconds(20)) with
    {
        NodeId = "rk-1",
        Ranks =
        [
            new RankCheckpoint(0, "rk-1", "10.77.0.10", TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(30)),
            new RankCheckpoint(1, "rk-2", "10.77.0.11", TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(35)),
            new RankCheckpoint(2, "rk-3", "10.77.0.12", TimeSpan.FromMilliseconds(45), TimeSpan.FromMilliseconds(30)),
        ],
    };

    public DistributedJobDetailsTests()
    {
        Platform.Jobs.Add(SampleJobs.Running(JobId, "ring", 0.3, SampleJobs.Start) with
        {
            Spec = new JobSpec { Command = "/opt/ring", Ranks = 3 },
            NodeId = "rk-4",
            Checkpoints = [Coordinated],
            Ranks =
            [
                new RankView(0, "rk-4", "10.77.0.10", RankState.Running, LastActivityAt: SampleJobs.Start.AddSeconds(55), ProcessState: "S"),
                new RankView(1, "rk-5", "10.77.0.11", RankState.Exited, 0),
                new RankView(2, "rk-6", "10.77.0.12", RankState.Failed, 3),
            ],
        });
        Platform.Catalog.Add(SampleJobs.CatalogEntry(JobId, Coordinated));
        Platform.Timelines[JobId] = [SampleJobs.Event(0, "JobSubmitted", "submitted", SampleJobs.Start)];
    }

    [Fact]
    public void Shows_every_rank_with_its_node_address_and_state()
    {
        var cut = Render<JobDetails>(p => p.Add(c => c.Id, JobId));

        var rows = cut.FindAll("[data-testid=rank-row]");
        Assert.Equal(
            [["0", "rk-4", "10.77.0.10", "running", "5 s ago"], ["1", "rk-5", "10.77.0.11", "exited 0", ""], ["2", "rk-6", "10.77.0.12", "failed (exit code 3)", ""]],
            rows.Select(r => r.QuerySelectorAll("td").Select(td => td.TextContent).ToArray()));
    }

    [Fact]
    public void A_stalled_job_names_its_stopped_rank_and_says_what_the_platform_does_about_it()
    {
        const string stalledId = "job-00000000d3";
        Platform.Jobs.Add(SampleJobs.Running(stalledId, "ring", 0.3, SampleJobs.Start) with
        {
            Spec = new JobSpec { Command = "/opt/ring", Ranks = 2, OnStall = StallAction.RestoreFromLastCheckpoint },
            Stalled = true,
            StatusReason = "stalled: no activity for 00:00:12 (threshold 00:00:10) from rank 1 on rk-5 (process stopped, state T)",
            Ranks =
            [
                new RankView(0, "rk-4", "10.77.0.10", RankState.Running, LastActivityAt: SampleJobs.Start.AddSeconds(58), ProcessState: "S"),
                new RankView(1, "rk-5", "10.77.0.11", RankState.Running, LastActivityAt: SampleJobs.Start.AddSeconds(48), ProcessState: "T"),
            ],
        });

        var cut = Render<JobDetails>(p => p.Add(c => c.Id, stalledId));

        Assert.Equal(["running", "running, process stopped (state T)"], cut.FindAll("[data-testid=rank-state]").Select(c => c.TextContent));
        Assert.Equal(["2 s ago", "12 s ago"], cut.FindAll("[data-testid=rank-activity]").Select(c => c.TextContent));
        Assert.Contains("rank 1 on rk-5 (process stopped, state T)", cut.Find("[data-testid=status-reason]").TextContent);
        Assert.Contains("It has no coordinated checkpoint yet, so the platform only alerts", cut.Find("[data-testid=stalled-alert]").TextContent);

        Platform.Jobs[Platform.Jobs.FindIndex(j => j.JobId == stalledId)] = Platform.Jobs.Single(j => j.JobId == stalledId) with { Checkpoints = [Coordinated] };
        var withCheckpoint = Render<JobDetails>(p => p.Add(c => c.Id, stalledId));
        Assert.Contains("The platform stops every rank and restores the job from its newest coordinated checkpoint.",
            withCheckpoint.Find("[data-testid=stalled-alert]").TextContent);
    }

    [Fact]
    public void Shows_a_coordinated_checkpoint_as_one_entry_with_its_ranks_that_can_only_be_restored_whole()
    {
        var cut = Render<JobDetails>(p => p.Add(c => c.Id, JobId));

        var row = Assert.Single(cut.FindAll("[data-testid=checkpoint-row]"));
        Assert.Equal("3 ranks: 0 on rk-1 (10.77.0.10), 1 on rk-2 (10.77.0.11), 2 on rk-3 (10.77.0.12)", row.QuerySelector("[data-testid=checkpoint-ranks]")!.TextContent);
        Assert.NotNull(row.QuerySelector("[data-testid=checkpoint-restore]"));
        Assert.Null(row.QuerySelector("[data-testid=checkpoint-verify]"));
        Assert.Null(row.QuerySelector("[data-testid=checkpoint-delete]"));
    }

    [Fact]
    public void An_ordinary_job_shows_no_ranks()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-00000000d2", "single", 0.1, SampleJobs.Start));

        var cut = Render<JobDetails>(p => p.Add(c => c.Id, "job-00000000d2"));

        Assert.Empty(cut.FindAll("[data-testid=job-ranks]"));
    }
}
