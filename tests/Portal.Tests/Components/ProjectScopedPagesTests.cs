using Caas.Web.Portal.Components.Layout;
using Caas.Web.Portal.Components.Pages;
using Caas.Web.Portal.Security;

namespace Caas.Portal.Tests.Components;

/// <summary>
/// Every page that shows jobs shows only the logged-in user's projects' jobs (admins see all), and acting on another
/// project's job or submitting into another project is refused on the server.
/// </summary>
[Trait("Category", "Component")]
public sealed class ProjectScopedPagesTests : PortalTestContext
{
    private const string RedJob = "job-00000000e1";
    private const string BlueJob = "job-00000000b1";

    public ProjectScopedPagesTests()
    {
        Memberships.Projects["olga"] = ["red"];
        foreach (var (id, project) in new[] { (RedJob, "red"), (BlueJob, "blue") })
        {
            var job = SampleJobs.Running(id, project + "-sim", 0.5, SampleJobs.Start);
            Platform.Jobs.Add(job with { Spec = job.Spec with { Project = project }, Checkpoints = [SampleJobs.Checkpoint(1, 0.25, SampleJobs.Start)] });
            Platform.Catalog.Add(SampleJobs.CatalogEntry(id, SampleJobs.Checkpoint(1, 0.25, SampleJobs.Start)) with { JobName = project + "-sim" });
            var alert = new AlertView
            {
                Id = $"failed-{id}", JobId = id, JobName = project + "-sim", Kind = AlertKind.Failed, Message = $"{project} failed",
                RaisedAt = SampleJobs.Start, State = AlertState.Firing, FiredAt = SampleJobs.Start,
            };
            Platform.Alerts.Add(alert);
            Alerts.Alerts.Add(alert);
        }
    }

    [Fact]
    public void The_job_list_shows_only_the_users_projects()
    {
        var cut = Render<JobList>();

        Assert.Equal([RedJob], cut.FindAll("[data-testid=job-row]").Select(r => r.GetAttribute("data-job-id")));
    }

    [Fact]
    public void An_admin_sees_every_projects_jobs()
    {
        LogInAs("root", CaasRoles.Admin);

        var cut = Render<JobList>();

        Assert.Equal([BlueJob, RedJob], cut.FindAll("[data-testid=job-row]").Select(r => r.GetAttribute("data-job-id")!).Order());
        Assert.Equal(["blue", "red"], cut.FindAll("[data-testid=job-project]").Select(c => c.TextContent).Order());
    }

    [Fact]
    public void Another_projects_job_page_says_not_found_and_shows_nothing_of_it()
    {
        var cut = Render<JobDetails>(p => p.Add(c => c.Id, BlueJob));

        Assert.Single(cut.FindAll("[data-testid=job-not-found]"));
        Assert.DoesNotContain("blue-sim", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Dashboard_counts_and_alerts_are_of_the_users_projects()
    {
        var cut = Render<Dashboard>();

        var running = cut.FindAll("[data-testid=job-count]").Single(c => c.GetAttribute("data-status") == nameof(JobStatus.Running));
        Assert.Equal("1", running.QuerySelector("[data-testid=job-count-value]")!.TextContent);
        Assert.Equal(["red-sim"], cut.FindAll("[data-testid=dashboard-alert-job]").Select(a => a.TextContent));
    }

    [Fact]
    public void The_alerts_indicator_and_page_hold_only_the_users_projects_alerts()
    {
        var indicator = Render<AlertsIndicator>();
        var page = Render<Alerts>();

        Assert.Equal("1", indicator.Find("[data-testid=alert-count]").TextContent);
        var row = Assert.Single(page.FindAll("[data-testid=alert-row]"));
        Assert.Contains("red-sim", row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_checkpoint_catalog_holds_only_the_users_projects()
    {
        var cut = Render<Checkpoints>();

        var row = Assert.Single(cut.FindAll("[data-testid=checkpoint-row]"));
        Assert.Contains(RedJob, row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acting_on_another_projects_job_is_refused_as_not_found_and_changes_nothing()
    {
        var actions = Services.GetRequiredService<JobActions>();

        var kill = await Assert.ThrowsAsync<OperationRejectedException>(() => actions.KillAsync(BlueJob));
        var checkpoint = await Assert.ThrowsAsync<OperationRejectedException>(() => actions.CheckpointAsync(BlueJob, leaveRunning: true));
        var ack = await Assert.ThrowsAsync<OperationRejectedException>(() => Services.GetRequiredService<AlertActions>().AcknowledgeAsync($"failed-{BlueJob}", null));

        Assert.Equal((RejectionKind.NotFound, $"No job has id '{BlueJob}'."), (kill.Kind, kill.Message));
        Assert.Equal(RejectionKind.NotFound, checkpoint.Kind);
        Assert.Equal(RejectionKind.NotFound, ack.Kind);
        Assert.Empty(Platform.KillCalls);
        Assert.Empty(Platform.CheckpointCalls);
        Assert.Empty(Alerts.Acknowledged);
        await actions.KillAsync(RedJob);
        Assert.Equal([RedJob], Platform.KillCalls);
    }

    [Fact]
    public void Submitting_into_a_project_the_user_is_not_in_says_why_and_submits_nothing()
    {
        var cut = Render<SubmitJob>();

        cut.Find("[data-testid=field-command]").Change("/usr/bin/true");
        cut.Find("[data-testid=field-project]").Change("blue");
        cut.Find("form").Submit();

        Assert.Equal("The platform refused the job: olga is not in project 'blue' and may not submit jobs to it; their projects are red. An admin can add them to it.",
            cut.Find("[data-testid=submit-error]").TextContent);
        Assert.Empty(Platform.Submitted);

        cut.Find("[data-testid=field-project]").Change("red");
        cut.Find("form").Submit();
        Assert.Equal("red", Assert.Single(Platform.Submitted).Project);
    }

    private SilenceView Silence(string id, SilenceMatchers matchers) => new()
    {
        Id = id, Matchers = matchers, CreatedAt = SampleJobs.Start, EndsAt = SampleJobs.Start.AddHours(3), CreatedBy = "root", Reason = "maintenance " + id,
    };

    [Fact]
    public void The_alerts_page_shows_silences_of_the_users_jobs_and_fleet_wide_ones_never_another_projects()
    {
        Alerts.Silences.AddRange([
            Silence("s-red", new SilenceMatchers { JobId = RedJob }),
            Silence("s-blue", new SilenceMatchers { JobId = BlueJob }),
            Silence("s-fleet", new SilenceMatchers { NameGlob = "nightly-*" })]);

        var cut = Render<Alerts>();

        var shown = cut.FindAll("[data-testid=silence-item]").Select(i => i.TextContent).ToList();
        Assert.Equal(2, shown.Count);
        Assert.Contains(shown, t => t.Contains("s-red", StringComparison.Ordinal));
        Assert.Contains(shown, t => t.Contains("s-fleet", StringComparison.Ordinal));
        Assert.DoesNotContain(BlueJob, cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Silencing_another_projects_job_or_every_job_is_refused_with_what_to_do_and_creates_nothing()
    {
        var cut = Render<Alerts>();

        cut.Find("[data-testid=silence-job]").Change(BlueJob);
        cut.Find("[data-testid=silence-reason]").Change("noisy");
        cut.Find("[data-testid=silence-create]").Click();
        Assert.Equal($"No job has id '{BlueJob}'.", cut.Find("[data-testid=silence-problem]").TextContent);

        cut.Find("[data-testid=silence-job]").Change("");
        cut.Find("[data-testid=silence-name]").Change("*");
        cut.Find("[data-testid=silence-create]").Click();
        Assert.Equal("olga may silence only alerts of their own projects' jobs: name the job (job id); a silence across jobs or of nodes needs an admin.",
            cut.Find("[data-testid=silence-problem]").TextContent);
        Assert.Empty(Alerts.Silences);

        cut.Find("[data-testid=silence-job]").Change(RedJob);
        cut.Find("[data-testid=silence-create]").Click();
        Assert.Equal(RedJob, Assert.Single(Alerts.Silences).Matchers.JobId);
    }

    [Fact]
    public async Task Ending_a_silence_of_another_projects_job_is_not_found_and_a_fleet_wide_one_needs_an_admin()
    {
        Alerts.Silences.AddRange([
            Silence("s-red", new SilenceMatchers { JobId = RedJob }),
            Silence("s-blue", new SilenceMatchers { JobId = BlueJob }),
            Silence("s-fleet", new SilenceMatchers { Kind = AlertKind.NodeLost })]);
        var actions = Services.GetRequiredService<AlertActions>();

        var foreign = await Assert.ThrowsAsync<OperationRejectedException>(() => actions.ExpireAsync("s-blue"));
        var fleet = await Assert.ThrowsAsync<OperationRejectedException>(() => actions.ExpireAsync("s-fleet"));
        await actions.ExpireAsync("s-red");

        Assert.Equal((RejectionKind.NotFound, "No silence has id 's-blue'."), (foreign.Kind, foreign.Message));
        Assert.Equal(RejectionKind.Forbidden, fleet.Kind);
        Assert.Equal(["s-red"], Alerts.Silences.Where(s => s.ExpiredAt is not null).Select(s => s.Id));
        LogInAs("root", CaasRoles.Admin);
        await actions.ExpireAsync("s-fleet");
        Assert.Equal(["s-red", "s-fleet"], Alerts.Silences.Where(s => s.ExpiredAt is not null).Select(s => s.Id));
    }
}
