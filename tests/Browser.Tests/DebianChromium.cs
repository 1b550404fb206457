using Microsoft.Playwright;

namespace Caas.Browser.Tests;

/// <summary>Debian's chromium driven by Playwright: no browser download is possible here, so launch it by path.</summary>
public sealed class DebianChromium : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private DebianChromium(IPlaywright playwright, IBrowser browser) => (_playwright, Browser) = (playwright, browser);

    public IBrowser Browser { get; }

    public Task<IPage> NewPageAsync() => Browser.NewPageAsync();

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }

    public static string ExecutablePath => Environment.GetEnvironmentVariable("CAAS_CHROMIUM") ?? "/usr/bin/chromium";

    public static async Task<DebianChromium> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new FileNotFoundException($"{ExecutablePath} is missing: install Debian's chromium (./caas test does).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // The machine has no network beyond loopback: keep Chromium from trying to phone home.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        });
        return new DebianChromium(playwright, browser);
    }
}
