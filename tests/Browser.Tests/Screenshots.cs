using Microsoft.Playwright;

namespace Caas.Browser.Tests;

/// <summary>Saves full-page screenshots under artifacts/screenshots for reviewers to look at.</summary>
public static class Screenshots
{
    public static async Task SaveAsync(IPage page, string name)
    {
        var directory = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(directory, name + ".png"), FullPage = true });
    }

    private static string RepositoryRoot() => Caas.EndToEnd.Tests.RepositoryLayout.Root;
}
