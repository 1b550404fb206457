using Caas.Contracts.Jobs;
using Caas.EndToEnd.Tests;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Caas.Browser.Tests;

/// <summary>
/// An operator moves a running job to another node from its page, on a real cluster (server, broker, database, two
/// agent processes with CRIU) in a real Chromium: the page follows it there and it goes on from its progress.
/// </summary>
[Trait("Category", "Browser")]
[Collection(StandaloneCollection.Name)]
public sealed class MigrationBrowserTests(BrowserMigrationCluster cluster) : IClassFixture<BrowserMigrationCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private static readonly LocatorAssertionsToHaveTextOptions Slowly = new() { Timeout = (float)Patience.TotalMilliseconds };

    [Fact]
    public async Task An_operator_migrates_a_running_job_to_the_other_node_from_its_page_and_it_goes_on_there()
    {
        var job = await cluster.Api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("counter"),
            args = new[] { "--target", "1000000", "--rate", "20" },
            name = "moved in a browser",
            pool = BrowserMigrationCluster.Pool,
        });
        try
        {
            var before = await cluster.Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running with progress");
            var source = before.NodeId!;
            var target = BrowserMigrationCluster.MigrationNodes.Single(n => n.NodeId != source).NodeId;
            await using var browser = await DebianChromium.LaunchAsync();
            var page = await browser.NewPageAsync();
            await page.GotoAsync(new Uri(cluster.Host.Url, $"jobs/{job.JobId}").ToString());
            await PortalLogin.LogInAsync(page, "admin", cluster.Host.AdminPassword!);
            // A choice made on the prerendered page is lost when the circuit renders over it.
            await PortalLogin.WaitUntilInteractiveAsync(page);
            // Keyboard and screen-reader users land on the job's heading, which stays the same element while its data loads.
            await Expect(page.Locator("h1")).ToBeFocusedAsync();
            await Expect(page.Locator("h1")).ToHaveTextAsync("moved in a browser", Slowly);
            // The move's choices come from the nodes' live state.
            var choice = page.Locator($"[data-testid='migrate-target'] option[value='node:{target}']");
            await Expect(choice).ToHaveCountAsync(1, new() { Timeout = (float)Patience.TotalMilliseconds });
            await Expect(page.Locator("[data-testid='job-node']")).ToHaveTextAsync(source);

            // The list offers the other node (not the one it runs on) and the pool; moving asks first.
            await page.Locator("[data-testid='migrate-target']").SelectOptionAsync(new SelectOptionValue { Value = $"node:{target}" });
            await page.Locator("[data-testid='action-migrate']").ClickAsync();
            await Expect(page.Locator("[data-testid='migrate-confirmation']")).ToContainTextAsync($"Move moved in a browser to node {target}?");
            await page.Locator("[data-testid='action-migrate-confirm']").ClickAsync();
            await Expect(page.Locator("[data-testid='action-notice']")).ToContainTextAsync($"Moving to {target}");

            // The page follows the job to its new node without a reload.
            await Expect(page.Locator("[data-testid='job-node']")).ToHaveTextAsync(target, Slowly);
            await Expect(page.Locator("[data-testid='job-status']")).ToHaveTextAsync("Running", Slowly);
            cluster.FollowProgress(source, target);
            var moved = await cluster.Api.GetJobAsync(job.JobId);
            var checkpoint = moved.Checkpoints.OrderBy(c => c.Sequence).Last();
            Assert.True(checkpoint.Progress >= before.Progress, $"checkpointed at {checkpoint.Progress}, below the {before.Progress} seen before the move");
            var progress = page.Locator("[data-testid='job-progress']");
            var shown = await progress.InnerTextAsync();
            await Expect(progress).Not.ToHaveTextAsync(shown, Slowly);
            var after = await cluster.Api.WaitForJobAsync(job.JobId, j => j.Progress > checkpoint.Progress, Patience, "progressing past its checkpoint");
            Assert.Equal((JobStatus.Running, target), (after.Status, after.NodeId));
            await Screenshots.SaveAsync(page, "job-migrated");
        }
        finally
        {
            await cluster.Api.KillAsync(job.JobId);
        }
    }
}
