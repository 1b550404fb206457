using Caas.Web.Portal.Components.Shared;
using Caas.Web.Portal.Security;

namespace Caas.Portal.Tests.Components;

[Trait("Category", "Component")]
public sealed class CheckpointsTableTests : PortalTestContext
{
    private const string JobId = "job-000000000a";
    private int changes;

    public CheckpointsTableTests()
    {
        Platform.Jobs.Add(SampleJobs.Running(JobId, "simulation", 0.42, SampleJobs.Start));
        Platform.Catalog.Add(SampleJobs.CatalogEntry(JobId, SampleJobs.Checkpoint(1, 0.1, SampleJobs.Start.AddSeconds(10)), CheckpointVerification.Verified));
        Platform.Catalog.Add(SampleJobs.CatalogEntry(JobId, SampleJobs.Checkpoint(2, 0.2, SampleJobs.Start.AddSeconds(20)), CheckpointVerification.Failed));
        Platform.Catalog.Add(SampleJobs.CatalogEntry(JobId, SampleJobs.Checkpoint(3, 0.3, SampleJobs.Start.AddSeconds(30))) with
        {
            Removal = CheckpointRemoval.Retention, RemovedAt = SampleJobs.Start.AddSeconds(50), RemovalReason = "beyond the last 5 checkpoints",
        });
    }

    private IRenderedComponent<CheckpointsTable> RenderTable() => Render<CheckpointsTable>(p => p
        .Add(c => c.Entries, Platform.Catalog.OrderByDescending(c => c.Sequence).ToList())
        .Add(c => c.Now, Clock.GetUtcNow())
        .Add(c => c.Changed, () => changes++));

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<CheckpointsTable> cut, int sequence) =>
        cut.FindAll("[data-testid=checkpoint-row]").Single(r => r.QuerySelector("td")!.TextContent == sequence.ToString());

    [Fact]
    public void Shows_verification_failures_and_removals_in_words()
    {
        var cut = RenderTable();

        Assert.Equal(["pruned 10 s ago: beyond the last 5 checkpoints (unverified)", "verification failed: the test copy showed no sign of life within 20 s", "verified 0 s ago"],
            cut.FindAll("[data-testid=checkpoint-verification]").Select(e => e.TextContent));
        Assert.Empty(Row(cut, 3).QuerySelectorAll("button"));
    }

    [Fact]
    public void Shows_what_each_checkpoint_cost_dump_time_bytes_moved_and_its_newest_restores_time()
    {
        Platform.Catalog[0] = Platform.Catalog[0] with { BytesMoved = 3 * 1024 * 1024, RestoreDuration = TimeSpan.FromMilliseconds(640) };

        var cut = RenderTable();

        var row = Row(cut, Platform.Catalog[0].Sequence);
        Assert.Equal(("0.3 s", "3.0 MiB", "0.64 s"),
            (row.QuerySelector("[data-testid=checkpoint-dump]")!.TextContent, row.QuerySelector("[data-testid=checkpoint-moved]")!.TextContent,
             row.QuerySelector("[data-testid=checkpoint-restore-time]")!.TextContent));
        Assert.Equal("–", Row(cut, 2).QuerySelector("[data-testid=checkpoint-restore-time]")!.TextContent);
    }

    [Fact]
    public void Names_the_pool_of_the_node_that_holds_the_image()
    {
        Platform.Catalog[0] = Platform.Catalog[0] with { Checkpoint = Platform.Catalog[0].Checkpoint with { Pool = "onprem" } };

        var cut = RenderTable();

        Assert.Equal("node-a (onprem)", Row(cut, 1).QuerySelectorAll("td")[3].TextContent);
        Assert.Equal("node-a", Row(cut, 2).QuerySelectorAll("td")[3].TextContent);
    }

    [Fact]
    public void Verify_asks_for_a_test_restore_and_says_so()
    {
        var cut = RenderTable();

        Row(cut, 2).QuerySelector("[data-testid=checkpoint-verify]")!.Click();

        Assert.Equal([(JobId, 2)], Platform.VerifyCalls);
        Assert.Equal($"Test restore of checkpoint 2 of {JobId} requested; its status shows the outcome.", cut.Find("[data-testid=checkpoint-action-notice]").TextContent);
        Assert.Equal(1, changes);
    }

    [Fact]
    public void Delete_happens_only_after_confirmation()
    {
        var cut = RenderTable();

        Row(cut, 2).QuerySelector("[data-testid=checkpoint-delete]")!.Click();
        Assert.Empty(Platform.DeleteCalls);
        Assert.Contains("Delete checkpoint 2?", cut.Find("[data-testid=delete-confirmation]").TextContent);
        cut.Find("[data-testid=checkpoint-delete-cancel]").Click();
        Assert.Empty(cut.FindAll("[data-testid=delete-confirmation]"));

        Row(cut, 2).QuerySelector("[data-testid=checkpoint-delete]")!.Click();
        cut.Find("[data-testid=checkpoint-delete-confirm]").Click();

        Assert.Equal([(JobId, 2)], Platform.DeleteCalls);
        Assert.Equal($"Deletion of checkpoint 2 of {JobId} requested.", cut.Find("[data-testid=checkpoint-action-notice]").TextContent);
    }

    [Fact]
    public void A_refused_delete_shows_the_reason()
    {
        var cut = RenderTable();

        Row(cut, 1).QuerySelector("[data-testid=checkpoint-delete]")!.Click();
        cut.Find("[data-testid=checkpoint-delete-confirm]").Click();

        Assert.Empty(Platform.DeleteCalls);
        Assert.Equal($"checkpoint 1 is the newest verified checkpoint of job {JobId}; the last verified one is never deleted (verify a newer one first)",
            cut.Find("[data-testid=checkpoint-action-error]").TextContent);
    }

    [Fact]
    public void Restore_from_this_asks_first_then_restores_from_that_checkpoint()
    {
        Platform.Update(JobId, j => j with { Checkpoints = [SampleJobs.Checkpoint(1, 0.1, SampleJobs.Start.AddSeconds(10))] });
        var cut = RenderTable();

        Row(cut, 1).QuerySelector("[data-testid=checkpoint-restore]")!.Click();
        Assert.Empty(Platform.RestoreCalls);
        Assert.Contains("work since this checkpoint is lost", cut.Find("[data-testid=checkpoint-restore-confirmation]").TextContent, StringComparison.Ordinal);
        cut.Find("[data-testid=checkpoint-restore-cancel]").Click();
        Assert.Empty(Platform.RestoreCalls);

        Row(cut, 1).QuerySelector("[data-testid=checkpoint-restore]")!.Click();
        cut.Find("[data-testid=checkpoint-restore-confirm]").Click();

        Assert.Equal([(JobId, (int?)1)], Platform.RestoreCalls);
        Assert.Equal($"Restore of {JobId} from checkpoint 1 started (incident {FakeJobPlatform.RestoreIncident}).", cut.Find("[data-testid=checkpoint-action-notice]").TextContent);
    }

    [Fact]
    public void A_viewer_sees_the_catalog_but_no_actions()
    {
        LogInAs("vera", CaasRoles.Viewer);

        var cut = RenderTable();

        Assert.Equal(3, cut.FindAll("[data-testid=checkpoint-row]").Count);
        Assert.Empty(cut.FindAll("button"));
        Assert.DoesNotContain("Actions", cut.Find("thead").TextContent);
    }
}
