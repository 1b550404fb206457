using Caas.Web.Portal.Components.Pages;
using Caas.Web.Portal.Components.Shared;
using Caas.Web.Portal.Security;

namespace Caas.Portal.Tests.Components;

[Trait("Category", "Component")]
public sealed class RecentIncidentsPanelTests : PortalTestContext
{
    private void AddIncident(string jobId, string project, string state, string reason, int minutesAfterStart)
    {
        if (Platform.Jobs.All(j => j.JobId != jobId))
        {
            var job = SampleJobs.Running(jobId, "sim", 0.5, SampleJobs.Start);
            Platform.Jobs.Add(job with { Spec = job.Spec with { Project = project } });
        }
        Platform.Incidents.Add(new RecoveryIncident
        {
            IncidentId = Guid.NewGuid(), JobId = jobId, State = state, Reason = reason, StartedAt = SampleJobs.Start.AddMinutes(minutesAfterStart),
        });
    }

    [Fact]
    public void The_dashboard_lists_the_newest_incidents_first_with_their_state_and_a_link_to_the_job()
    {
        AddIncident("job-000000000a", JobProjects.Default, "Recovered", "stalled for 40 s", -5);
        AddIncident("job-000000000b", JobProjects.Default, "Restoring", "node node-a lost", 0);

        var cut = Render<Dashboard>();

        var items = cut.FindAll("[data-testid=recent-incident]");
        Assert.Equal(["Restoring", "Recovered"], items.Select(i => i.QuerySelector("[data-testid=recent-incident-state]")!.TextContent));
        Assert.Equal("jobs/job-000000000b", items[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("node node-a lost", items[0].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_user_limited_to_projects_sees_only_their_jobs_incidents_an_admin_sees_all()
    {
        AddIncident("job-000000000a", "red", "Recovered", "red job stalled", 0);
        AddIncident("job-000000000b", "blue", "Failed", "blue job lost", 1);
        Memberships.Projects["rita"] = ["red"];
        LogInAs("rita", CaasRoles.Operator);

        var rita = Render<RecentIncidentsPanel>();
        Assert.Equal(["job-000000000a"], rita.FindAll("[data-testid=recent-incident-job]").Select(a => a.TextContent));

        LogInAs("admin", CaasRoles.Admin);
        var admin = Render<RecentIncidentsPanel>();
        Assert.Equal(["job-000000000b", "job-000000000a"], admin.FindAll("[data-testid=recent-incident-job]").Select(a => a.TextContent));
    }

    [Fact]
    public void No_incident_yet_says_what_would_open_one_and_new_ones_appear_live()
    {
        var cut = Render<RecentIncidentsPanel>();
        Assert.Single(cut.FindAll("[data-testid=no-recent-incidents]"));

        AddIncident("job-000000000a", JobProjects.Default, "Placing", "restore requested by a user", 0);
        Clock.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=recent-incident]")));
    }
}
