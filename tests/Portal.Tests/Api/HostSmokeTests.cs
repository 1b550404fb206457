namespace Caas.Portal.Tests.Api;

[Trait("Category", "Integration")]
public sealed class HostSmokeTests
{
    [Fact]
    public async Task Serves_the_portal_page()
    {
        await using var host = await PortalApiHost.StartAsync();
        var html = await host.Client.GetStringAsync("/");
        Assert.Contains("No jobs yet", html);
        var css = await host.Client.GetAsync("/_content/Web.Portal/caas.css");
        Assert.Equal(System.Net.HttpStatusCode.OK, css.StatusCode);
        var js = await host.Client.GetAsync("/_framework/blazor.web.js");
        Assert.Equal(System.Net.HttpStatusCode.OK, js.StatusCode);
        Assert.True((await js.Content.ReadAsByteArrayAsync()).Length > 1000);
    }
}
