using Caas.Web.Portal.Components.Pages;

namespace Caas.Portal.Tests.Components;

[Trait("Category", "Component")]
public sealed class CheckpointsPageTests : PortalTestContext
{
    private const string JobA = "job-000000000a";
    private const string JobB = "job-000000000b";

    private void AddCheckpoints(int perJob)
    {
        for (var s = 1; s <= perJob; s++)
        {
            Platform.Catalog.Add(SampleJobs.CatalogEntry(JobA, SampleJobs.Checkpoint(s, 0.01 * s, SampleJobs.Start.AddSeconds(2 * s))));
            Platform.Catalog.Add(SampleJobs.CatalogEntry(JobB, SampleJobs.Checkpoint(s, 0.01 * s, SampleJobs.Start.AddSeconds(2 * s + 1)) with { NodeId = "node-b" },
                s == 1 ? CheckpointVerification.Verified : CheckpointVerification.Unverified));
        }
    }

    [Fact]
    public void An_empty_catalog_says_how_to_get_a_checkpoint()
    {
        var cut = Render<Checkpoints>();

        Assert.Contains("No checkpoints yet", cut.Find("[data-testid=no-checkpoints]").TextContent);
    }

    [Fact]
    public void Lists_checkpoints_across_jobs_newest_first_and_pages()
    {
        AddCheckpoints(15);
        var cut = Render<Checkpoints>();

        Assert.Equal("1–25 of 30 checkpoints", cut.Find("[data-testid=checkpoint-range]").TextContent);
        Assert.Equal([JobB, JobA], cut.FindAll("[data-testid=checkpoint-row] .mono").Take(2).Select(e => e.TextContent));
        Assert.Equal($"jobs/{JobB}", cut.Find("[data-testid=checkpoint-job]").GetAttribute("href"));

        cut.Find("[data-testid=checkpoints-older]").Click();

        Assert.Equal("26–30 of 30 checkpoints", cut.Find("[data-testid=checkpoint-range]").TextContent);
        Assert.True(cut.Find("[data-testid=checkpoints-older]").HasAttribute("disabled"));
        Assert.Equal((25, Checkpoints.PageSize), (Platform.CatalogQueries[^1].Skip, Platform.CatalogQueries[^1].Take));
    }

    [Fact]
    public void Filters_by_job_node_and_verification()
    {
        AddCheckpoints(3);
        var cut = Render<Checkpoints>();

        cut.Find("[data-testid=filter-node]").Change("node-b");
        cut.Find("[data-testid=filter-status]").Change("Verified");
        cut.Find("[data-testid=checkpoint-filters]").Submit();

        Assert.Equal(new CheckpointCatalogFilter { NodeId = "node-b", Verification = CheckpointVerification.Verified }, Platform.CatalogQueries[^1].Filter with { Projects = null });
        Assert.Equal([JobProjects.Default], Platform.CatalogQueries[^1].Filter.Projects);
        var row = Assert.Single(cut.FindAll("[data-testid=checkpoint-row]"));
        Assert.Contains(JobB, row.TextContent);

        cut.Find("[data-testid=filter-node]").Change("node-z");
        cut.Find("[data-testid=checkpoint-filters]").Submit();
        Assert.Contains("No checkpoints match these filters", cut.Find("[data-testid=no-checkpoints]").TextContent);
    }

    [Fact]
    public void A_malformed_job_filter_is_explained_and_not_queried()
    {
        AddCheckpoints(1);
        var cut = Render<Checkpoints>();
        var queries = Platform.CatalogQueries.Count;

        cut.Find("[data-testid=filter-job]").Change("../etc");
        cut.Find("[data-testid=checkpoint-filters]").Submit();

        Assert.Equal("'../etc' is not a job id: they look like job-0123456789.", cut.Find("[data-testid=filter-problem]").TextContent);
        Assert.Equal(queries, Platform.CatalogQueries.Count);
    }

    [Fact]
    public void Follows_the_catalog_live()
    {
        AddCheckpoints(1);
        var cut = Render<Checkpoints>();

        Platform.Catalog[0] = Platform.Catalog[0] with { Verification = CheckpointVerification.Verifying };
        Clock.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() => Assert.Contains("verifying…", cut.Markup));
    }
}
