using Caas.Web.Portal.Components.Shared;
using Caas.Web.Portal.Portal;

namespace Caas.Portal.Tests.Components;

/// <summary>The SVG line chart of the job page: the newest value as text, a line scaled to its points, and a clear empty state.</summary>
[Trait("Category", "Component")]
public sealed class LineChartTests : PortalTestContext
{
    private IRenderedComponent<LineChart> RenderChart(IReadOnlyList<ChartPoint> points, double? maximum = null) => Render<LineChart>(p => p
        .Add(c => c.Title, "Memory")
        .Add(c => c.Points, points)
        .Add(c => c.Format, v => $"{v:0} B")
        .Add(c => c.Maximum, maximum)
        .Add(c => c.TestId, "chart-memory"));

    [Fact]
    public void Plots_the_points_across_the_width_scaled_to_the_largest_and_shows_the_newest_value()
    {
        var cut = RenderChart([new(SampleJobs.Start, 0), new(SampleJobs.Start.AddSeconds(30), 50), new(SampleJobs.Start.AddSeconds(60), 100)]);

        Assert.Equal("100 B", cut.Find("[data-testid=chart-value]").TextContent);
        // x over 60 s of 300 units; y from 79 (zero) to 1 (the top), a pixel kept at both ends.
        Assert.Equal("0,79 150,40 300,1", cut.Find("[data-testid=chart-line]").GetAttribute("points"));
        Assert.Equal("last 60 s", cut.Find("[data-testid=chart-span]").TextContent);
        Assert.Equal("max 100 B", cut.Find("[data-testid=chart-max]").TextContent);
        Assert.Equal("Memory over the last 60 s", cut.Find("svg").GetAttribute("aria-label"));
    }

    [Fact]
    public void A_fixed_maximum_keeps_the_scale_and_values_beyond_it_stay_inside()
    {
        var cut = RenderChart([new(SampleJobs.Start, 0.5), new(SampleJobs.Start.AddMinutes(3), 2)], maximum: 1);

        Assert.Equal("0,40 300,1", cut.Find("[data-testid=chart-line]").GetAttribute("points"));
        Assert.Equal("last 3 min", cut.Find("[data-testid=chart-span]").TextContent);
    }

    [Fact]
    public void Fewer_than_two_points_say_what_it_waits_for_instead_of_a_line()
    {
        var cut = RenderChart([new(SampleJobs.Start, 7)]);

        Assert.Equal("7 B", cut.Find("[data-testid=chart-value]").TextContent);
        Assert.Equal("Waiting for heartbeats…", cut.Find("[data-testid=chart-empty]").TextContent);
        Assert.Empty(cut.FindAll("svg"));
        Assert.Equal("–", RenderChart([]).Find("[data-testid=chart-value]").TextContent);
    }
}
