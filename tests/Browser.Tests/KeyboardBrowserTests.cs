using Caas.Contracts.Jobs;
using Caas.EndToEnd.Tests;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Caas.Browser.Tests;

/// <summary>
/// The job page by keyboard alone, in a real Chromium on a real platform: the skip link, the alerts panel's Silence…
/// (its reason field gets the focus, Tab reaches its buttons, Enter silences) and a confirmation that takes the focus
/// to Cancel and gives it back on Escape.
/// </summary>
[Trait("Category", "Browser")]
[Collection(StandaloneCollection.Name)]
public sealed class KeyboardBrowserTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static Task<string?> FocusedTestIdAsync(IPage page) =>
        page.EvaluateAsync<string?>("() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.id ?? null");

    private static async Task ExpectFocusAsync(IPage page, string testIdOrId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        string? focused;
        while ((focused = await FocusedTestIdAsync(page)) != testIdOrId && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(testIdOrId, focused);
    }

    [Fact]
    public async Task An_operator_silences_a_jobs_alert_from_its_page_and_cancels_a_kill_with_the_keyboard_only()
    {
        await using var host = await StandaloneHost.StartAsync();
        await using var job = await StalledJob.StartAsync(host, "keyboard only", Patience);
        await using var browser = await DebianChromium.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.Url, $"jobs/{job.JobId}").ToString());
        await PortalLogin.LogInAsync(page, "admin", host.AdminPassword!);
        await PortalLogin.WaitUntilInteractiveAsync(page);
        await Expect(page.Locator("[data-testid='job-alert-state']")).ToHaveTextAsync("Firing", new() { Timeout = (float)Patience.TotalMilliseconds });

        // The skip link shows when the keyboard reaches it and takes the focus past the navigation.
        var skip = page.Locator("[data-testid='skip-to-content']");
        await skip.FocusAsync();
        await Expect(skip).ToBeInViewportAsync();
        await page.Keyboard.PressAsync("Enter");
        await ExpectFocusAsync(page, "content");
        Assert.EndsWith($"jobs/{job.JobId}", page.Url, StringComparison.Ordinal);

        // Silence…: Enter opens the form on its reason; typing, Tab past the duration and Cancel, Enter on Silence.
        await page.Locator("[data-testid='job-alert-silence-start']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await ExpectFocusAsync(page, "job-alert-silence-reason");
        await page.Keyboard.TypeAsync("kept stopped on purpose");
        await page.Keyboard.PressAsync("Tab");
        await ExpectFocusAsync(page, "job-alert-silence-for");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab");
        await ExpectFocusAsync(page, "job-alert-silence-confirm");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("[data-testid='job-alert-silence']")).ToContainTextAsync("silenced by admin", new() { Timeout = (float)Patience.TotalMilliseconds });
        await Expect(page.Locator("[data-testid='job-alert-silence']")).ToContainTextAsync("kept stopped on purpose");
        await Screenshots.SaveAsync(page, "job-alerts");

        // Kill asks first with the focus on Cancel; Escape closes the question and the focus is back on Kill.
        await page.Locator("[data-testid='action-kill']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await ExpectFocusAsync(page, "action-kill-cancel");
        await page.Keyboard.PressAsync("Escape");
        await ExpectFocusAsync(page, "action-kill");
        await Expect(page.Locator("[data-testid='kill-confirmation']")).ToHaveCountAsync(0);
        Assert.Equal(JobStatus.Running, (await host.Api.GetJobAsync(job.JobId)).Status);
    }
}
