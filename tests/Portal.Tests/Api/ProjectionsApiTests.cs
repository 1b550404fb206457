using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Caas.Portal.Tests.Api;

[Trait("Category", "Integration")]
public sealed class ProjectionsApiTests : IAsyncLifetime
{
    private PortalApiHost host = null!;

    public async Task InitializeAsync()
    {
        host = await PortalApiHost.StartAsync();
        host.Projections.Views.Add(new ProjectionView { Name = "alerts", Position = 40, HeadPosition = 42, Age = TimeSpan.FromSeconds(0.25), SavedPosition = 40, SavedAt = SampleJobs.Start });
        host.Projections.Views.Add(new ProjectionView { Name = "jobs", Position = 42, HeadPosition = 42 });
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Lists_every_projection_with_its_lag_in_events_and_its_age()
    {
        var views = await host.Client.GetFromJsonAsync<JsonElement>("/api/v1/projections");

        Assert.Equal([("alerts", 40L, 42L, 2L, "00:00:00.2500000", 40L), ("jobs", 42L, 42L, 0L, "00:00:00", 0L)],
            views.EnumerateArray().Select(v => (v.GetProperty("name").GetString(), v.GetProperty("position").GetInt64(), v.GetProperty("headPosition").GetInt64(),
                v.GetProperty("lag").GetInt64(), v.GetProperty("age").GetString(), v.GetProperty("savedPosition").GetInt64())));
    }

    [Fact]
    public async Task An_admin_rebuilds_one_projection_or_all_of_them()
    {
        var one = await host.Client.PostAsync("/api/v1/projections/jobs/rebuild", null);
        var all = await host.Client.PostAsync("/api/v1/projections/rebuild", null);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (one.StatusCode, all.StatusCode));
        Assert.Equal("/api/v1/projections", one.Headers.Location?.OriginalString);
        var started = await one.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([("jobs", 0L, true, 42L)], started.EnumerateArray().Select(v =>
            (v.GetProperty("name").GetString(), v.GetProperty("position").GetInt64(), v.GetProperty("rebuilding").GetBoolean(), v.GetProperty("rebuildTarget").GetInt64())));
        Assert.Equal(["jobs", null], host.Projections.Rebuilt);
    }

    [Fact]
    public async Task Rebuilding_an_unknown_projection_is_a_404_problem_and_rebuilds_nothing()
    {
        var response = await host.Client.PostAsync("/api/v1/projections/jobz/rebuild", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("No projection is named 'jobz'.", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Empty(host.Projections.Rebuilt);
    }
}
