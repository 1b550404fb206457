using Caas.Web.Portal.Components.Layout;
using Caas.Web.Portal.Components.Pages;
using Caas.Web.Portal.Security;
using Bunit.Rendering;
using Microsoft.AspNetCore.Components;

namespace Caas.Portal.Tests.Components;

/// <summary>
/// The keyboard and screen-reader audit of the main pages (docs/running.md, "Keyboard and screen readers"), as far as
/// markup can show it: every control a keyboard reaches has a name a screen reader can read, every table has column
/// headers, and the layout offers a skip link to the page's content. Each page is rendered with data, for an operator
/// (who sees the most controls).
/// </summary>
[Trait("Category", "Component")]
public sealed class AccessibilityAuditTests : PortalTestContext
{
    private const string JobId = "job-000000000a";

    public AccessibilityAuditTests()
    {
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-a", Pool = "onprem", JobSlots = 4, RunningJobs = 1, Engine = "criu 4.2.1", LastHeartbeatAt = SampleJobs.Start });
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-b", Pool = "onprem", JobSlots = 4, Engine = "criu 4.2.1", Drained = true, LastHeartbeatAt = SampleJobs.Start });
        var checkpoint = SampleJobs.Checkpoint(1, 0.1, SampleJobs.Start.AddSeconds(10));
        Platform.Jobs.Add(SampleJobs.Running(JobId, "simulation", 0.42, SampleJobs.Start) with { Checkpoints = [checkpoint] });
        Platform.Catalog.Add(SampleJobs.CatalogEntry(JobId, checkpoint, CheckpointVerification.Verified));
        Platform.Timelines[JobId] = [SampleJobs.Event(0, "JobSubmitted", "submitted", SampleJobs.Start)];
        Alerts.Alerts.Add(new AlertView
        {
            Id = $"stalled-{JobId}", JobId = JobId, JobName = "simulation", Kind = AlertKind.Stalled, State = AlertState.Firing,
            Message = "no progress for 40 s", RaisedAt = SampleJobs.Start, FiredAt = SampleJobs.Start,
        });
    }

    public static TheoryData<string> MainPages => ["dashboard", "jobs", "job", "nodes", "alerts", "policies", "checkpoints", "submit", "layout"];

    private IRenderedComponent<ContainerFragment> RenderPage(string page) => Render(builder =>
    {
        switch (page)
        {
            case "dashboard": builder.OpenComponent<Dashboard>(0); break;
            case "jobs": builder.OpenComponent<JobList>(0); break;
            case "job": builder.OpenComponent<JobDetails>(0); builder.AddAttribute(1, nameof(JobDetails.Id), JobId); break;
            case "nodes": builder.OpenComponent<Nodes>(0); break;
            case "alerts": builder.OpenComponent<Alerts>(0); break;
            case "policies": builder.OpenComponent<Policies>(0); break;
            case "checkpoints": builder.OpenComponent<Checkpoints>(0); break;
            case "submit": builder.OpenComponent<SubmitJob>(0); break;
            default:
                builder.OpenComponent<MainLayout>(0);
                builder.AddAttribute(1, nameof(MainLayout.Body), (RenderFragment)(b => b.AddMarkupContent(0, "<h1>Page</h1>")));
                break;
        }
        builder.CloseComponent();
    });

    [Theory]
    [MemberData(nameof(MainPages))]
    public void Every_control_has_a_name_a_screen_reader_can_read(string page)
    {
        var cut = RenderPage(page);

        Assert.NotEmpty(cut.FindAll("button, a[href], input, select"));
        Assert.Empty(Accessibility.UnnamedControls(cut));
    }

    [Theory]
    [MemberData(nameof(MainPages))]
    public void Every_table_has_column_headers_that_say_what_they_hold(string page)
    {
        var cut = RenderPage(page);

        Assert.Empty(Accessibility.TablesWithoutHeaders(cut));
    }

    [Theory]
    [MemberData(nameof(MainPages))]
    public void No_control_is_taken_out_of_the_tab_order_or_made_clickable_without_a_keyboard(string page)
    {
        var cut = RenderPage(page);

        // tabindex above 0 reorders the keyboard's path, -1 on a control removes it; a click handler on a plain
        // element (a div or a row) is one a keyboard cannot reach. Blazor renders handlers as blazor:onclick.
        Assert.Empty(cut.FindAll("[tabindex]").Where(e => e.LocalName != "main" && e.GetAttribute("tabindex") != "0").Select(e => e.OuterHtml));
        Assert.Empty(cut.FindAll("div, span, tr, td, li").Where(e => e.HasAttribute("blazor:onclick")).Select(e => e.OuterHtml));
    }

    [Fact]
    public void A_jobs_progress_bar_tells_its_value_and_the_jobs_own_words()
    {
        var bar = RenderPage("job").Find("[role=progressbar]");

        Assert.Equal(("Progress", "0", "100", "42", "42%, step 42 of 100"),
            (bar.GetAttribute("aria-label"), bar.GetAttribute("aria-valuemin"), bar.GetAttribute("aria-valuemax"),
             bar.GetAttribute("aria-valuenow"), bar.GetAttribute("aria-valuetext")));
    }

    [Fact]
    public void The_skip_link_comes_first_and_moves_focus_to_the_pages_content()
    {
        var cut = RenderPage("layout");

        var first = cut.FindAll("a[href], button")[0];
        Assert.Equal("Skip to content", first.TextContent.Trim());
        first.Click();

        var focused = Accessibility.LastFocused(cut, JSInterop);
        Assert.Equal("main", focused.LocalName);
        Assert.Equal("-1", focused.GetAttribute("tabindex"));
        Assert.Equal("Page", focused.QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public void The_alerts_button_says_whether_its_list_is_open_and_Escape_closes_it()
    {
        var cut = RenderPage("layout");
        // bUnit writes an element's reference id only in the render that created it.
        var toggleReference = cut.Find("[data-testid=alerts-toggle]").GetAttribute("blazor:elementreference");
        Assert.False(string.IsNullOrEmpty(toggleReference));

        var toggle = cut.Find("[data-testid=alerts-toggle]");
        Assert.Equal("false", toggle.GetAttribute("aria-expanded"));
        toggle.Click();
        Assert.Equal("true", cut.Find("[data-testid=alerts-toggle]").GetAttribute("aria-expanded"));
        Assert.Equal(cut.Find("[data-testid=alerts-panel]").Id, cut.Find("[data-testid=alerts-toggle]").GetAttribute("aria-controls"));

        cut.Find("[data-testid=alerts-panel]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Escape" });

        Assert.Empty(cut.FindAll("[data-testid=alerts-panel]"));
        Assert.Equal(toggleReference, Accessibility.LastFocusedReferenceId(JSInterop));
    }

    [Fact]
    public void A_viewer_gets_the_same_names_on_what_they_may_use()
    {
        LogInAs("vera", CaasRoles.Viewer);

        foreach (var page in new[] { "dashboard", "jobs", "job", "alerts", "checkpoints" })
            Assert.Empty(Accessibility.UnnamedControls(RenderPage(page)));
    }
}
