using Caas.Web.Portal.Components.Shared;

namespace Caas.Portal.Tests.Components;

/// <summary>A job's recovery incidents on its page: state, why, how long, the outcome and every saga step.</summary>
[Trait("Category", "Component")]
public sealed class IncidentsPanelTests : PortalTestContext
{
    [Fact]
    public void Shows_each_incident_with_its_saga_steps_and_how_it_ended()
    {
        var incident = new RecoveryIncident
        {
            IncidentId = Guid.Parse("00000000-0000-0000-0000-000000000001"), JobId = "job-000000000a", State = "Recovered",
            Reason = "stalled for 40 s", StartedAt = SampleJobs.Start, EndedAt = SampleJobs.Start.AddSeconds(12.5),
            Outcome = "restored on node-b from checkpoint 3, progress 42%",
            Steps =
            [
                new RecoveryStep(SampleJobs.Start.AddSeconds(1), "Placed", "on node-b"),
                new RecoveryStep(SampleJobs.Start.AddSeconds(6), "Restored", "pid 4242"),
            ],
        };

        var cut = Render<IncidentsPanel>(p => p.Add(c => c.Incidents, [incident]).Add(c => c.Now, SampleJobs.Start.AddMinutes(1)));

        Assert.Equal("Recovered", cut.Find("[data-testid=incident-state]").TextContent);
        Assert.Equal("stalled for 40 s", cut.Find("[data-testid=incident-reason]").TextContent);
        Assert.Equal("took 12.5 s", cut.Find("[data-testid=incident-duration]").TextContent);
        Assert.Equal("restored on node-b from checkpoint 3, progress 42%", cut.Find("[data-testid=incident-outcome]").TextContent);
        Assert.Equal(["2026-11-26 10:00:01 UTC Placed on node-b", "2026-11-26 10:00:06 UTC Restored pid 4242"],
            cut.FindAll("[data-testid=incident-step]").Select(e => e.TextContent));
        Assert.Equal("2 steps", cut.Find("summary").TextContent);
    }

    [Fact]
    public void An_open_incident_has_no_duration_yet_and_no_incident_says_what_opens_one()
    {
        var open = new RecoveryIncident { IncidentId = Guid.NewGuid(), JobId = "job-000000000a", State = "Transferring", Reason = "restore requested", StartedAt = SampleJobs.Start };

        var cut = Render<IncidentsPanel>(p => p.Add(c => c.Incidents, [open]).Add(c => c.Now, SampleJobs.Start.AddMinutes(1)));
        var none = Render<IncidentsPanel>(p => p.Add(c => c.Incidents, []).Add(c => c.Now, SampleJobs.Start));

        Assert.Empty(cut.FindAll("[data-testid=incident-duration]"));
        Assert.Equal("0 steps", cut.Find("summary").TextContent);
        Assert.Contains("Restore above, opens one", none.Find("[data-testid=no-incidents]").TextContent, StringComparison.Ordinal);
    }
}
