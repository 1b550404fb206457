using Caas.Web.Portal.Components.Shared;

namespace Caas.Portal.Tests.Components;

[Trait("Category", "Component")]
public sealed class IngestionRatePanelTests : PortalTestContext
{
    private void StoreHeadAt(long head)
    {
        Projections.Views.Clear();
        Projections.Views.Add(new ProjectionView { Name = "jobs", Position = head, HeadPosition = head });
        Projections.Views.Add(new ProjectionView { Name = "alerts", Position = head - 1, HeadPosition = head });
    }

    [Fact]
    public void The_rate_is_the_stores_head_movement_per_second_over_the_last_ten_seconds()
    {
        StoreHeadAt(1_000);
        var cut = Render<IngestionRatePanel>();
        Assert.Single(cut.FindAll("[data-testid=ingestion-measuring]"));

        StoreHeadAt(1_500);
        Clock.Advance(TimeSpan.FromSeconds(1));
        cut.WaitForAssertion(() => Assert.Equal("500", cut.Find("[data-testid=ingestion-rate]").TextContent));

        // 12 more seconds at 100 events/s: the window forgets the 500-event second and shows the recent rate.
        for (var second = 1; second <= 12; second++)
        {
            StoreHeadAt(1_500 + second * 100);
            Clock.Advance(TimeSpan.FromSeconds(1));
            cut.WaitForAssertion(() => Assert.Contains($"{1_500 + second * 100} events in the store", cut.Find("[data-testid=ingestion-window]").TextContent, StringComparison.Ordinal));
        }
        Assert.Equal("100", cut.Find("[data-testid=ingestion-rate]").TextContent);
        Assert.StartsWith("over the last 10 s", cut.Find("[data-testid=ingestion-window]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_store_without_events_ingests_nothing()
    {
        var cut = Render<IngestionRatePanel>();
        Clock.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() => Assert.Equal("0", cut.Find("[data-testid=ingestion-rate]").TextContent));
    }
}
