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

    /// <summary>The images README.md shows (Markdown image links), relative to the repository root.</summary>
    public static IReadOnlyList<string> ShownInReadme() =>
        System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")), @"!\[[^\]]*\]\(([^)\s]+)\)")
            .Select(m => m.Groups[1].Value).ToArray();

    public static string PathOf(string relative) => Path.Combine(RepositoryRoot(), relative);

    private static string RepositoryRoot() => Caas.EndToEnd.Tests.RepositoryLayout.Root;
}
