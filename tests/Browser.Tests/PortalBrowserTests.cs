using System.Net.Http.Json;
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
        var started = DateTime.UtcNow;
        await using var host = await StandaloneHost.StartAsync();
        var job = await host.Api.SubmitAsync(CounterJob.Spec("browser demo", rate: 20, target: 2000));
        await host.Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, TimeSpan.FromSeconds(60), "running");

        await using var browser = await DebianChromium.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Url.ToString());
        await PortalLogin.LogInAsync(page, "admin", host.AdminPassword!);
        await Expect(page.Locator("[data-testid='current-user']")).ToHaveTextAsync("admin");

        // Logging in lands on the dashboard: the running job is counted and the standalone's own agent is listed.
        await Expect(page.Locator("h1")).ToHaveTextAsync("Dashboard");
        var running = page.Locator("[data-testid='job-count'][data-status='Running']");
        await Expect(running.Locator("[data-testid='job-count-value']")).ToHaveTextAsync("1");
        await Expect(page.Locator("[data-testid='dashboard-node']").First).ToBeVisibleAsync();
        // The running job's heartbeats are events: the ingestion rate shows once the dashboard has refreshed.
        await Expect(page.Locator("[data-testid='ingestion-rate']")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "dashboard");

        await running.ClickAsync();
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
        // Its output, read from the agent that runs it, grows on the page as the job writes.
        var output = page.Locator("[data-testid='output-text']");
        await Expect(output).ToContainTextAsync("count ");
        var written = await output.InnerTextAsync();
        await Expect(output).Not.ToHaveTextAsync(written, new() { Timeout = 10_000 });
        await Screenshots.SaveAsync(page, "job-page");

        // Loading the job's page afresh: it is prerendered with the job, and its interactive render starts from that
        // data (persistent component state), so "Loading job…" never shows on the way to the live page.
        await page.AddInitScriptAsync("""
            window.caasLoadingSeen = false;
            new MutationObserver(() => { if (document.documentElement.textContent.includes('Loading job')) window.caasLoadingSeen = true; })
                .observe(document, { childList: true, subtree: true, characterData: true });
            """);
        await page.GotoAsync(new Uri(host.Url, $"jobs/{job.JobId}").ToString());
        await PortalLogin.WaitUntilInteractiveAsync(page);
        var reloaded = await progress.InnerTextAsync();
        await Expect(progress).Not.ToHaveTextAsync(reloaded, new() { Timeout = 10_000 });
        Assert.False(await page.EvaluateAsync<bool>("() => window.caasLoadingSeen"), "the job page showed Loading job… after it was prerendered");

        // The README shows these two screenshots from where this test saves them (generated, never committed).
        Assert.Equal(["artifacts/screenshots/dashboard.png", "artifacts/screenshots/job-page.png"], Screenshots.ShownInReadme());
        Assert.All(Screenshots.ShownInReadme(), image => Assert.True(File.GetLastWriteTimeUtc(Screenshots.PathOf(image)) >= started.AddSeconds(-2), $"{image} was not saved by this run"));

        await host.Api.KillAsync(job.JobId);
    }

    [Fact]
    public async Task A_viewer_sees_jobs_but_no_actions_and_logging_out_returns_to_the_login_page()
    {
        await using var host = await StandaloneHost.StartAsync();
        var created = await host.Api.Http.PostAsJsonAsync("/api/v1/users", new { name = "vera", password = "vera's long password", role = "viewer" });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var job = await host.Api.SubmitAsync(CounterJob.Spec("watched by a viewer", rate: 20, target: 2000));

        await using var browser = await DebianChromium.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.Url, $"jobs/{job.JobId}").ToString());
        await PortalLogin.LogInAsync(page, "vera", "wrong password here");
        await Expect(page.Locator("[data-testid='login-problem']")).ToHaveTextAsync("The user name or password is not right.");
        await PortalLogin.LogInAsync(page, "vera", "vera's long password");

        // The login page sent her back to the job she asked for.
        await Expect(page.Locator("h1")).ToHaveTextAsync("watched by a viewer");
        await Expect(page.Locator("[data-testid='current-role']")).ToHaveTextAsync("viewer");
        await Expect(page.Locator("[data-testid='actions-not-allowed']")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid='action-kill']")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-testid='nav-submit']")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(page, "job-page-viewer");

        await page.Locator("[data-testid='logout']").ClickAsync();
        await Expect(page.Locator("[data-testid='login-submit']")).ToBeVisibleAsync();
        await page.GotoAsync(new Uri(host.Url, "jobs").ToString());
        await Expect(page.Locator("[data-testid='login-submit']")).ToBeVisibleAsync();

        await host.Api.KillAsync(job.JobId);
    }
}
