using Caas.Web.Portal.Components.Pages;

namespace Caas.Portal.Tests.Components;

/// <summary>The portal's page for an address that is no page: it says so and offers the way on.</summary>
[Trait("Category", "Component")]
public sealed class NotFoundPageTests : PortalTestContext
{
    [Fact]
    public void Says_the_address_is_not_a_page_and_links_to_the_job_list_and_the_submit_form()
    {
        var cut = Render<NotFound>();

        Assert.Equal("Nothing here", cut.Find("[data-testid=page-not-found] h1").TextContent);
        Assert.Equal(["jobs", "submit"], cut.FindAll("[data-testid=page-not-found] a").Select(a => a.GetAttribute("href")));
    }
}
