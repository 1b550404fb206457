using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Caas.Contracts.Jobs;
using Caas.EndToEnd.Tests;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Caas.Browser.Tests;

/// <summary>What an operator does in the portal, on a real standalone platform with real CRIU, in a real Chromium.</summary>
[Trait("Category", "Browser")]
[Collection(StandaloneCollection.Name)]
public sealed class OperatorBrowserTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private static readonly LocatorAssertionsToHaveTextOptions Slowly = new() { Timeout = (float)Patience.TotalMilliseconds };

    [Fact]
    public async Task An_operator_submits_a_job_watches_it_live_checkpoints_suspends_and_resumes_it()
    {
        await using var host = await StandaloneHost.StartAsync();
        await using var browser = await DebianChromium.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.Url, "submit").ToString());
        await PortalLogin.LogInAsync(page, "admin", host.AdminPassword!);
        await PortalLogin.WaitUntilInteractiveAsync(page);

        await page.Locator("[data-testid='field-command']").FillAsync(RepositoryLayout.NativeBinary("counter"));
        await page.Locator("[data-testid='field-args']").FillAsync("--target\n100000\n--rate\n20");
        await page.Locator("[data-testid='field-name']").FillAsync("submitted in a browser");
        await page.Locator("[data-testid='submit-job']").ClickAsync();

        // Submitting opens the job's page, which follows the job without a reload: status, progress and charts.
        await Expect(page.Locator("h1")).ToHaveTextAsync("submitted in a browser");
        await Expect(page.Locator("[data-testid='job-status']")).ToHaveTextAsync("Running", Slowly);
        var progress = page.Locator("[data-testid='chart-progress'] [data-testid='chart-value']");
        await Expect(progress).Not.ToHaveTextAsync("–", Slowly);
        var before = await progress.InnerTextAsync();
        await Expect(progress).Not.ToHaveTextAsync(before, Slowly);
        // A flat line has no height, which Playwright calls hidden: the chart's drawing is what must be visible.
        foreach (var chart in new[] { "chart-memory", "chart-cpu" })
        {
            await Expect(page.Locator($"[data-testid='{chart}'] [data-testid='chart-line']")).ToHaveCountAsync(1, new() { Timeout = (float)Patience.TotalMilliseconds });
            await Expect(page.Locator($"[data-testid='{chart}'] svg")).ToBeVisibleAsync();
        }
        await Screenshots.SaveAsync(page, "job");

        await page.Locator("[data-testid='action-checkpoint']").ClickAsync();
        await Expect(page.Locator("[data-testid='action-notice']")).ToHaveTextAsync("Checkpoint 1 requested.");
        await Expect(page.Locator("[data-testid='checkpoint-row']")).ToHaveCountAsync(1, new() { Timeout = (float)Patience.TotalMilliseconds });

        // Suspending asks first; then the job is checkpointed and stopped, and shows as Suspended.
        await page.Locator("[data-testid='action-suspend']").ClickAsync();
        await Expect(page.Locator("[data-testid='suspend-confirmation']")).ToBeVisibleAsync();
        await page.Locator("[data-testid='action-suspend-confirm']").ClickAsync();
        await Expect(page.Locator("[data-testid='job-status']")).ToHaveTextAsync("Suspended", Slowly);
        await Expect(page.Locator("[data-testid='checkpoint-row']")).ToHaveCountAsync(2);
        var suspendedAt = (await page.Locator("[data-testid='job-progress']").InnerTextAsync()).TrimEnd('%');

        await page.Locator("[data-testid='action-resume']").ClickAsync();
        await Expect(page.Locator("[data-testid='job-status']")).ToHaveTextAsync("Running", Slowly);
        // It continues from where it was suspended, not from zero.
        await Expect(page.Locator("[data-testid='job-progress']")).Not.ToHaveTextAsync(suspendedAt + "%", Slowly);
        var resumed = await host.Api.GetJobAsync((await host.Api.ListJobsAsync()).Items.Single().JobId);
        Assert.True(resumed.Progress >= double.Parse(suspendedAt, System.Globalization.CultureInfo.InvariantCulture) / 100 - 0.001,
            $"resumed at {resumed.Progress}, suspended at {suspendedAt} %");

        // The standalone platform has one node: a move to its own pool has no other node to go to, and says so.
        await page.Locator("[data-testid='migrate-target']").SelectOptionAsync(new SelectOptionValue { Index = 1 });
        await page.Locator("[data-testid='action-migrate']").ClickAsync();
        await page.Locator("[data-testid='action-migrate-confirm']").ClickAsync();
        await Expect(page.Locator("[data-testid='action-error']")).ToContainTextAsync("it already runs there");
        await Expect(page.Locator("[data-testid='job-status']")).ToHaveTextAsync("Running");

        await page.Locator("[data-testid='nav-checkpoints']").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Checkpoints");
        await Screenshots.SaveAsync(page, "checkpoints");
        await page.Locator("[data-testid='nav-jobs']").ClickAsync();
        await Expect(page.Locator("[data-testid='job-row']")).ToHaveCountAsync(1);
        await page.Locator("[data-testid='text-filter']").FillAsync("browser");
        await page.Locator("[data-testid='text-filter']").PressAsync("Enter");
        await Expect(page.Locator("[data-testid='job-row']")).ToHaveCountAsync(1);
        await Screenshots.SaveAsync(page, "jobs");
        await page.Locator("[data-testid='nav-nodes']").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Nodes");
        await Screenshots.SaveAsync(page, "nodes");
        await page.Locator("[data-testid='nav-dashboard']").ClickAsync();
        await Expect(page.Locator("[data-testid='job-count'][data-status='Running'] [data-testid='job-count-value']")).ToHaveTextAsync("1");
        await Screenshots.SaveAsync(page, "dashboard-operator");

        await host.Api.KillAsync(resumed.JobId);
    }

    [Fact]
    public async Task An_operator_acknowledges_a_stall_alert_on_the_alerts_page_and_a_viewer_cannot()
    {
        await using var host = await StandaloneHost.StartAsync();
        var created = await host.Api.Http.PostAsJsonAsync("/api/v1/users", new { name = "vera", password = "vera's long password", role = "viewer" });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        await using var job = await StalledJob.StartAsync(host, "stalls in a browser", Patience);

        await using var browser = await DebianChromium.LaunchAsync();
        var viewer = await browser.NewPageAsync();
        await viewer.GotoAsync(new Uri(host.Url, "alerts").ToString());
        await PortalLogin.LogInAsync(viewer, "vera", "vera's long password");
        await Expect(viewer.Locator("[data-testid='alert-row']")).ToHaveCountAsync(1);
        await Expect(viewer.Locator("[data-testid='ack']")).ToHaveCountAsync(0);
        await viewer.GotoAsync(new Uri(host.Url, $"jobs/{job.JobId}").ToString());
        await Expect(viewer.Locator("[data-testid='actions-not-allowed']")).ToBeVisibleAsync();
        await Expect(viewer.Locator("[data-testid='action-suspend']")).ToHaveCountAsync(0);
        await Expect(viewer.Locator("[data-testid='action-checkpoint']")).ToHaveCountAsync(0);
        // The job's page shows its alert too, without the operator's buttons.
        await Expect(viewer.Locator("[data-testid='job-alert-state']")).ToHaveTextAsync("Firing");
        await Expect(viewer.Locator("[data-testid='job-alert-ack']")).ToHaveCountAsync(0);
        // What the page does not offer, the API refuses too.
        using var asViewer = new HttpClient { BaseAddress = host.Url };
        asViewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await host.CreateTokenAsync("vera", "vera's long password"));
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.PostAsync($"/api/v1/jobs/{job.JobId}/suspend", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.PostAsync($"/api/v1/alerts/stalled-{job.JobId}/ack", null)).StatusCode);

        var operatorPage = await (await browser.Browser.NewContextAsync()).NewPageAsync();
        await operatorPage.GotoAsync(new Uri(host.Url, "alerts").ToString());
        await PortalLogin.LogInAsync(operatorPage, "admin", host.AdminPassword!);
        var row = operatorPage.Locator("[data-testid='alert-row']");
        await Expect(row.Locator("[data-testid='alert-state']")).ToHaveTextAsync("Firing");
        await Screenshots.SaveAsync(operatorPage, "alerts");
        // A click on the prerendered button, before the circuit runs, does nothing (seen in CI at load 24).
        await PortalLogin.WaitUntilInteractiveAsync(operatorPage);
        await row.Locator("[data-testid='ack']").ClickAsync();

        await Expect(row.Locator("[data-testid='alert-state']")).ToHaveTextAsync("Acknowledged");
        await Expect(row.Locator("[data-testid='acknowledged-by']")).ToContainTextAsync("acknowledged by admin");
        Assert.Equal("admin", (await host.Api.GetAlertAsync($"stalled-{job.JobId}")).AcknowledgedBy);
    }
}
