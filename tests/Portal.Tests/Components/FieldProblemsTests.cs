using Caas.Web.Portal.Components.Shared;

namespace Caas.Portal.Tests.Components;

/// <summary>A form field's problems, in the live region its field points to with aria-describedby.</summary>
[Trait("Category", "Component")]
public sealed class FieldProblemsTests : PortalTestContext
{
    [Fact]
    public void Lists_every_problem_of_the_field_in_a_polite_live_region_the_field_can_name()
    {
        var cut = Render<FieldProblems>(p => p.Add(c => c.Field, "command").Add(c => c.Problems, ["Give the program to run.", "It must be an absolute path."]));

        var region = cut.Find("#problems-command");
        Assert.Equal("polite", region.GetAttribute("aria-live"));
        Assert.Equal(["Give the program to run.", "It must be an absolute path."], cut.FindAll("[data-testid=problem-command]").Select(e => e.TextContent));
        Assert.Equal("problems-command", FieldProblems.Id("command"));
        Assert.Equal("true", FieldProblems.Invalid(["x"]));
        Assert.Null(FieldProblems.Invalid([]));
    }

    [Fact]
    public void A_field_without_problems_keeps_an_empty_region_so_later_problems_are_announced()
    {
        var cut = Render<FieldProblems>(p => p.Add(c => c.Field, "name").Add(c => c.Problems, []));

        Assert.Empty(cut.FindAll("[data-testid=problem-name]"));
        Assert.Equal("polite", cut.Find("#problems-name").GetAttribute("aria-live"));
    }
}
