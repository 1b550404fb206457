using Caas.Web.Portal.Components.Shared;

namespace Caas.Portal.Tests.Components;

/// <summary>A sortable column header: the first click picks the natural order of its field, the next turns it around.</summary>
[Trait("Category", "Component")]
public sealed class SortHeaderTests : PortalTestContext
{
    private readonly List<(JobSortField Field, bool Descending)> changes = [];

    private IRenderedComponent<SortHeader> RenderHeader(JobSortField field, JobSortField sort, bool descending) => Render<SortHeader>(p => p
        .Add(c => c.Field, field)
        .Add(c => c.Label, field.ToString())
        .Add(c => c.Sort, sort)
        .Add(c => c.Descending, descending)
        .Add(c => c.Changed, change => changes.Add(change)));

    [Theory]
    [InlineData(JobSortField.Progress, true)]
    [InlineData(JobSortField.LastHeartbeat, true)]
    [InlineData(JobSortField.Name, false)]
    [InlineData(JobSortField.Node, false)]
    public void A_first_click_sorts_numbers_and_times_largest_first_and_text_A_first(JobSortField field, bool descending)
    {
        var cut = RenderHeader(field, JobSortField.Submitted, descending: true);
        Assert.Equal("none", cut.Find("th").GetAttribute("aria-sort"));

        cut.Find("button").Click();

        Assert.Equal([(field, descending)], changes);
    }

    [Fact]
    public void The_active_column_says_its_order_and_a_click_turns_it_around()
    {
        var cut = RenderHeader(JobSortField.Name, JobSortField.Name, descending: false);

        Assert.Equal("ascending", cut.Find("th").GetAttribute("aria-sort"));
        Assert.Equal("Name ▲", cut.Find("[data-testid=sort-name]").TextContent.Trim());
        cut.Find("button").Click();

        Assert.Equal([(JobSortField.Name, true)], changes);
    }
}
