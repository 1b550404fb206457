using System.Net;

namespace Caas.EndToEnd.Tests;

/// <summary>What a load balancer or orchestrator asks of a running platform, without credentials.</summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class HealthTests
{
    [Fact]
    public async Task A_running_platform_is_live_and_ready_to_anyone_and_says_nothing_more()
    {
        await using var host = await StandaloneHost.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromSeconds(30) };

        var live = await anonymous.GetAsync("/health/live");
        var ready = await anonymous.GetAsync("/health/ready");
        var jobs = await anonymous.GetAsync("/api/v1/jobs");

        Assert.Equal((HttpStatusCode.OK, "Healthy"), (live.StatusCode, await live.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        // Health is open; everything else still needs a login.
        Assert.Equal(HttpStatusCode.Unauthorized, jobs.StatusCode);
    }
}
