using Caas.Web.Portal.Components.Shared;

namespace Caas.Portal.Tests.Components;

/// <summary>A job's state as a badge: a stopped job waiting to come back is named for that, and the stalled badge says why.</summary>
[Trait("Category", "Component")]
public sealed class StatusBadgeTests : PortalTestContext
{
    [Theory]
    [InlineData(JobStatus.Running, false, false, "Running", "status-running")]
    [InlineData(JobStatus.Stopped, false, false, "Stopped", "status-stopped")]
    [InlineData(JobStatus.Stopped, true, false, "Suspended", "status-suspended")]
    [InlineData(JobStatus.Stopped, true, true, "Swapped out", "status-swapped-out")]
    [InlineData(JobStatus.Failed, true, false, "Failed", "status-failed")]
    public void Names_the_state_as_an_operator_thinks_of_it(JobStatus status, bool suspended, bool swappedOut, string name, string css)
    {
        var badge = Render<StatusBadge>(p => p.Add(c => c.Status, status).Add(c => c.Suspended, suspended).Add(c => c.SwappedOut, swappedOut)).Find("[data-testid=job-status]");

        Assert.Equal(name, badge.TextContent);
        Assert.Contains(css, badge.ClassList);
    }

    [Fact]
    public void The_stalled_badge_explains_itself_on_hover()
    {
        var badge = Render<StalledBadge>().Find("[data-testid=job-stalled]");

        Assert.Equal("stalled", badge.TextContent);
        Assert.Equal("No progress for longer than the job's stall threshold", badge.GetAttribute("title"));
    }
}
