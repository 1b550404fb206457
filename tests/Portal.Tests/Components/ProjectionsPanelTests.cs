using Caas.Web.Portal.Components.Pages;
using Caas.Web.Portal.Components.Shared;

namespace Caas.Portal.Tests.Components;

[Trait("Category", "Component")]
public sealed class ProjectionsPanelTests : PortalTestContext
{
    [Fact]
    public void Shows_each_read_models_lag_behind_the_store_its_age_and_where_it_was_saved()
    {
        Projections.Views.Add(new ProjectionView { Name = "alerts", Position = 120, HeadPosition = 120, SavedPosition = 100, SavedAt = Clock.GetUtcNow().AddSeconds(-2) });
        Projections.Views.Add(new ProjectionView { Name = "jobs", Position = 90, HeadPosition = 120, Age = TimeSpan.FromSeconds(1.5), SavedPosition = 0 });

        var cut = Render<ProjectionsPanel>();

        Assert.Equal(
            ["alerts|120 / 120|0 events|0 s|at 100, 2 s ago|caught up", "jobs|90 / 120|30 events|1.5 s|not yet|catching up"],
            cut.FindAll("[data-testid=projection]").Select(row => string.Join("|", row.QuerySelectorAll("td").Select(td => td.TextContent.Trim()))));
    }

    [Fact]
    public void A_rebuild_shows_how_far_it_has_come_and_the_panel_follows_it_without_a_reload()
    {
        Projections.Views.Add(new ProjectionView { Name = "checkpoints", Position = 25, HeadPosition = 130, Rebuilding = true, RebuildTarget = 100 });
        var cut = Render<ProjectionsPanel>();
        Assert.Equal("rebuilding 25%", cut.Find("[data-testid=projection-state]").TextContent.Trim());

        Projections.Views[0] = Projections.Views[0] with { Position = 130, Rebuilding = false, RebuildTarget = 0 };
        Clock.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() => Assert.Equal("caught up", cut.Find("[data-testid=projection-state]").TextContent.Trim()));
    }

    [Fact]
    public void The_dashboard_carries_the_panel()
    {
        Projections.Views.Add(new ProjectionView { Name = "jobs", Position = 7, HeadPosition = 9 });

        var cut = Render<Dashboard>();

        Assert.Equal("2 events", cut.Find("[data-testid=projection][data-name=jobs] [data-testid=projection-lag]").TextContent);
    }
}
