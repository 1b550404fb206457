using Caas.Web.Portal.Components.Shared;

namespace Caas.Portal.Tests.Components;

/// <summary>A job's progress as a bar that screen readers read as a progressbar with its value and the job's message.</summary>
[Trait("Category", "Component")]
public sealed class ProgressBarTests : PortalTestContext
{
    [Fact]
    public void Shows_the_fraction_as_text_width_and_aria_value_with_the_jobs_message()
    {
        var cut = Render<ProgressBar>(p => p.Add(c => c.Fraction, 0.426).Add(c => c.Message, "step 426 of 1000"));
        var bar = cut.Find("[role=progressbar]");

        Assert.Equal("42.6%", cut.Find("[data-testid=job-progress]").TextContent);
        Assert.Equal("width: 42.6%", cut.Find(".progress-fill").GetAttribute("style"));
        Assert.Equal(("43", "42.6%, step 426 of 1000", "step 426 of 1000"), (bar.GetAttribute("aria-valuenow"), bar.GetAttribute("aria-valuetext"), bar.GetAttribute("title")));
    }

    [Fact]
    public void A_bad_report_cannot_overflow_the_bar_and_no_report_is_unknown()
    {
        var over = Render<ProgressBar>(p => p.Add(c => c.Fraction, 1.7));
        var unknown = Render<ProgressBar>(p => p.Add(c => c.Fraction, null)).Find("[role=progressbar]");

        Assert.Equal(("width: 100%", "100"), (over.Find(".progress-fill").GetAttribute("style"), over.Find("[role=progressbar]").GetAttribute("aria-valuenow")));
        Assert.Equal("–", unknown.QuerySelector("[data-testid=job-progress]")!.TextContent);
        Assert.False(unknown.HasAttribute("aria-valuenow"));
        Assert.False(unknown.HasAttribute("aria-valuetext"));
    }
}
