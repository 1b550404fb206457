using Caas.Contracts.Jobs;
using Caas.EndToEnd.Tests;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Caas.Browser.Tests;

[Trait("Category", "Browser")]
[Collection(StandaloneCollection.Name)]
public sealed class PortalBrowserTests
{
    [Fact]
    public async Task The_portal_shows_a_submitted_job_running_and_its_progress_moving()
    {
        await using var host = await StandaloneHost.StartAsync();
        var job = await host.Api.SubmitAsync(CounterJob.Spec("browser demo", rate: 20, target: 2000));
        await host.Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, TimeSpan.FromSeconds(60), "running");

        await using var browser = await DebianChromium.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Url.ToString());

        var row = page.Locator($"[data-testid='job-row'][data-job-id='{job.JobId}']");
        await Expect(row).ToContainTextAsync("browser demo");
        await Expect(row.Locator("[data-testid='job-status']")).ToHaveTextAsync("Running");
        await Screenshots.SaveAsync(page, "job-list");

        await row.Locator("a").First.ClickAsync();
        await Expect(page.Locator("[data-testid='job-status']")).ToHaveTextAsync("Running");
        var progress = page.Locator("[data-testid='job-progress']");
        var first = await progress.InnerTextAsync();
        // The page refreshes itself: at 1 % a second the progress text changes without a reload.
        await Expect(progress).Not.ToHaveTextAsync(first, new() { Timeout = 10_000 });
        await Screenshots.SaveAsync(page, "job-page");

        await host.Api.KillAsync(job.JobId);
    }
}
