using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Caas.Browser.Tests;

/// <summary>Logs in through the portal's login form, as a person does.</summary>
public static class PortalLogin
{
    public static async Task LogInAsync(IPage page, string user, string password)
    {
        await Expect(page.Locator("[data-testid='login-submit']")).ToBeVisibleAsync();
        await page.Locator("[data-testid='login-user']").FillAsync(user);
        await page.Locator("[data-testid='login-password']").FillAsync(password);
        await page.Locator("[data-testid='login-submit']").ClickAsync();
    }

    /// <summary>
    /// Waits until the page's Blazor circuit runs: before that the prerendered form takes typing but Blazor, when it
    /// starts, renders over it. Two marks only an interactive render leaves: the router's FocusOnNavigate gives the page's
    /// h1 a tabindex, and an element the page holds a reference to (a confirmation's buttons) gets a <c>_bl_</c>
    /// attribute. Either will do.
    /// </summary>
    public static Task WaitUntilInteractiveAsync(IPage page) =>
        page.WaitForFunctionAsync(
            "() => document.querySelector(\"h1[tabindex='-1']\") !== null"
            + " || [...document.querySelectorAll('[data-testid]')].some(e => e.getAttributeNames().some(n => n.startsWith('_bl_')))",
            null, new() { Timeout = 30_000 });
}
