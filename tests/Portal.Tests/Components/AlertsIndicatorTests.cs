using Caas.Web.Portal.Components.Layout;

namespace Caas.Portal.Tests.Components;

[Trait("Category", "Component")]
public sealed class AlertsIndicatorTests : PortalTestContext
{
    [Fact]
    public void Shows_zero_calmly_when_nothing_is_open()
    {
        var cut = Render<AlertsIndicator>();

        Assert.Equal("0", cut.Find("[data-testid=alert-count]").TextContent);
        Assert.DoesNotContain("alerts-firing", cut.Find("[data-testid=alerts-toggle]").ClassName);
    }

    [Fact]
    public void Counts_open_alerts_in_red_and_lists_them_with_links_to_their_jobs()
    {
        Platform.Alerts.Add(new AlertView { JobId = "job-000000000a", JobName = "simulation", Kind = AlertKind.Stalled, Message = "no progress for 40 s", RaisedAt = SampleJobs.Start });
        Platform.Alerts.Add(new AlertView { JobId = "job-000000000b", JobName = "training", Kind = AlertKind.Failed, Message = "exited with code 3", RaisedAt = SampleJobs.Start.AddSeconds(30) });

        var cut = Render<AlertsIndicator>();
        Assert.Equal("2", cut.Find("[data-testid=alert-count]").TextContent);
        Assert.Contains("alerts-firing", cut.Find("[data-testid=alerts-toggle]").ClassName);

        cut.Find("[data-testid=alerts-toggle]").Click();

        var items = cut.FindAll("[data-testid=alert-item]");
        Assert.Equal(["jobs/job-000000000a", "jobs/job-000000000b"], items.Select(i => i.QuerySelector("a")!.GetAttribute("href")));
        Assert.Contains("no progress for 40 s", items[0].TextContent);
        Assert.Contains("30 s ago", items[1].TextContent);
    }

    [Fact]
    public void Updates_itself_every_second()
    {
        var cut = Render<AlertsIndicator>();

        Platform.Alerts.Add(new AlertView { JobId = "job-000000000a", JobName = "simulation", Kind = AlertKind.Stalled, Message = "stalled", RaisedAt = SampleJobs.Start });
        Clock.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() => Assert.Equal("1", cut.Find("[data-testid=alert-count]").TextContent));
    }
}
