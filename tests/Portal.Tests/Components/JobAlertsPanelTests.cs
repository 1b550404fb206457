using Caas.Web.Portal.Components.Pages;
using Caas.Web.Portal.Components.Shared;
using Caas.Web.Portal.Security;

namespace Caas.Portal.Tests.Components;

/// <summary>The job page's alerts panel: the job's alerts with times and why, acknowledge and silence for operators.</summary>
[Trait("Category", "Component")]
public sealed class JobAlertsPanelTests : PortalTestContext
{
    private const string JobId = "job-000000000a";

    public JobAlertsPanelTests()
    {
        Platform.Jobs.Add(SampleJobs.Running(JobId, "simulation", 0.42, SampleJobs.Start));
        Platform.Jobs.Add(SampleJobs.Running("job-00000000bb", "other", 0.1, SampleJobs.Start));
    }

    private static AlertView Alert(string jobId, AlertKind kind, AlertState state, string message, DateTimeOffset raisedAt) => new()
    {
        Id = $"{kind.ToString().ToLowerInvariant()}-{jobId}", JobId = jobId, JobName = "simulation", Kind = kind, State = state,
        Message = message, RaisedAt = raisedAt, FiredAt = raisedAt,
    };

    private IRenderedComponent<JobDetails> RenderJob() => Render<JobDetails>(p => p.Add(c => c.Id, JobId));

    [Fact]
    public void Shows_only_this_jobs_alerts_open_first_with_times_and_why()
    {
        Alerts.Alerts.Add(Alert(JobId, AlertKind.Stalled, AlertState.Firing, "no progress for 40 s", SampleJobs.Start.AddSeconds(50)));
        Alerts.Alerts.Add(Alert(JobId, AlertKind.Starved, AlertState.Acknowledged, "no CPU for 60 s", SampleJobs.Start.AddSeconds(20)) with
        {
            AcknowledgedBy = "omar", AcknowledgedAt = SampleJobs.Start.AddSeconds(30), AcknowledgeComment = "looking into it",
        });
        Alerts.Alerts.Add(Alert(JobId, AlertKind.Failed, AlertState.Resolved, "exited with code 3", SampleJobs.Start.AddSeconds(5)) with
        {
            ResolvedAt = SampleJobs.Start.AddSeconds(15),
        });
        Alerts.Alerts.Add(Alert("job-00000000bb", AlertKind.Stalled, AlertState.Firing, "another job's", SampleJobs.Start));

        var cut = RenderJob();

        var rows = cut.FindAll("[data-testid=job-alert-row]");
        Assert.Equal(["Firing", "Acknowledged", "Resolved"], cut.FindAll("[data-testid=job-alert-state]").Select(e => e.TextContent));
        Assert.Equal(["no progress for 40 s", "no CPU for 60 s", "exited with code 3"], cut.FindAll("[data-testid=job-alert-message]").Select(e => e.TextContent));
        Assert.Equal("2026-11-26 10:00:50 UTC", rows[0].QuerySelector("[data-testid=job-alert-raised]")!.TextContent);
        Assert.Equal("–", rows[0].QuerySelector("[data-testid=job-alert-resolved]")!.TextContent);
        Assert.Equal("2026-11-26 10:00:15 UTC", rows[2].QuerySelector("[data-testid=job-alert-resolved]")!.TextContent);
        Assert.Equal("acknowledged by omar at 2026-11-26 10:00:30 UTC: looking into it", rows[1].QuerySelector("[data-testid=job-alert-acknowledged]")!.TextContent);
        // Acknowledge only where it fires; Silence… wherever it is still open.
        Assert.Equal([true, false, false], rows.Select(r => r.QuerySelector("[data-testid=job-alert-ack]") is not null));
        Assert.Equal([true, true, false], rows.Select(r => r.QuerySelector("[data-testid=job-alert-silence-start]") is not null));
    }

    [Fact]
    public void Pages_through_the_jobs_alerts_on_the_server_open_ones_first_then_the_history()
    {
        for (var i = 0; i < 12; i++)
            Alerts.Alerts.Add(Alert(JobId, AlertKind.Failed, AlertState.Resolved, $"past failure {i}", SampleJobs.Start.AddSeconds(i)) with { Occurrence = i + 1 });
        Alerts.Alerts.Add(Alert(JobId, AlertKind.Stalled, AlertState.Firing, "no progress for 40 s", SampleJobs.Start.AddSeconds(50)));
        Alerts.Alerts.Add(Alert("job-00000000bb", AlertKind.Stalled, AlertState.Firing, "another job's", SampleJobs.Start));

        var cut = RenderJob();

        Assert.Equal(JobAlertsPanel.PageSize, cut.FindAll("[data-testid=job-alert-row]").Count);
        Assert.Equal("Firing", cut.FindAll("[data-testid=job-alert-state]")[0].TextContent);
        Assert.Equal("1–10 of 13 alerts", cut.Find("[data-testid=job-alerts-range]").TextContent);
        Assert.True(cut.Find("[data-testid=job-alerts-previous]").HasAttribute("disabled"));

        cut.Find("[data-testid=job-alerts-next]").Click();

        cut.WaitForAssertion(() => Assert.Equal("11–13 of 13 alerts", cut.Find("[data-testid=job-alerts-range]").TextContent));
        Assert.Equal(["past failure 9", "past failure 10", "past failure 11"], cut.FindAll("[data-testid=job-alert-message]").Select(e => e.TextContent));
        Assert.True(cut.Find("[data-testid=job-alerts-next]").HasAttribute("disabled"));
        // Only this job's alerts are read, a page at a time; never the whole alert list.
        Assert.Empty(Alerts.ListCalls);
        Assert.All(Alerts.JobListCalls, call => Assert.Equal((JobId, JobAlertsPanel.PageSize), (call.JobId, call.Take)));
        Assert.Contains((JobId, 10, JobAlertsPanel.PageSize), Alerts.JobListCalls);

        cut.Find("[data-testid=job-alerts-previous]").Click();

        cut.WaitForAssertion(() => Assert.Equal("1–10 of 13 alerts", cut.Find("[data-testid=job-alerts-range]").TextContent));
    }

    [Fact]
    public void A_later_page_that_emptied_steps_back_to_the_last_one()
    {
        for (var i = 0; i < 12; i++)
            Alerts.Alerts.Add(Alert(JobId, AlertKind.Failed, AlertState.Resolved, $"past failure {i}", SampleJobs.Start.AddSeconds(i)) with { Occurrence = i + 1 });
        var cut = RenderJob();
        cut.Find("[data-testid=job-alerts-next]").Click();
        cut.WaitForAssertion(() => Assert.Equal("11–12 of 12 alerts", cut.Find("[data-testid=job-alerts-range]").TextContent));

        // The history keeps only so many resolved alerts: older ones fall off while the page is open.
        Alerts.Alerts.RemoveRange(9, 3);
        Clock.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() => Assert.Equal("1–9 of 9 alerts", cut.Find("[data-testid=job-alerts-range]").TextContent));
    }

    [Fact]
    public void A_silenced_alert_says_who_silenced_it_until_when_and_why()
    {
        Alerts.Alerts.Add(Alert(JobId, AlertKind.Stalled, AlertState.Firing, "no progress for 40 s", SampleJobs.Start));
        Alerts.Silences.Add(new SilenceView
        {
            Id = "s1", Matchers = new SilenceMatchers { JobId = JobId }, CreatedAt = SampleJobs.Start, EndsAt = SampleJobs.Start.AddHours(2),
            CreatedBy = "omar", Reason = "known slow storage",
        });

        var cut = RenderJob();

        Assert.Equal("silenced", cut.Find("[data-testid=job-alert-silenced]").TextContent);
        Assert.Equal("silenced by omar until 2026-11-26 12:00:00 UTC: known slow storage", cut.Find("[data-testid=job-alert-silence]").TextContent);
    }

    [Fact]
    public void Says_when_the_job_has_had_no_alert()
    {
        Alerts.Alerts.Add(Alert("job-00000000bb", AlertKind.Stalled, AlertState.Firing, "another job's", SampleJobs.Start));

        var cut = RenderJob();

        Assert.Empty(cut.FindAll("[data-testid=job-alert-row]"));
        Assert.Contains("No alert for this job", cut.Find("[data-testid=no-job-alerts]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void An_operator_acknowledges_from_the_job_page_and_it_is_audited()
    {
        Alerts.Alerts.Add(Alert(JobId, AlertKind.Stalled, AlertState.Firing, "no progress for 40 s", SampleJobs.Start));
        var cut = RenderJob();

        cut.Find("[data-testid=job-alert-ack]").Click();

        Assert.Equal([("stalled-" + JobId, "olga", (string?)null)], Alerts.Acknowledged);
        cut.WaitForAssertion(() => Assert.Equal("Acknowledged", cut.Find("[data-testid=job-alert-state]").TextContent));
        Assert.StartsWith("acknowledged by olga", cut.Find("[data-testid=job-alert-acknowledged]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=job-alert-ack]"));
        Assert.Contains(Audit.Records, r => r.Action == AuditActions.AlertAcknowledged && r.Target == "stalled-" + JobId && r.User == "olga");
    }

    [Fact]
    public void Silence_asks_for_a_reason_first_then_silences_this_kind_of_alert_of_this_job()
    {
        Alerts.Alerts.Add(Alert(JobId, AlertKind.Stalled, AlertState.Firing, "no progress for 40 s", SampleJobs.Start));
        var cut = RenderJob();

        cut.Find("[data-testid=job-alert-silence-start]").Click();
        Assert.Empty(Alerts.Silences);
        // The keyboard lands on the one field that must be filled.
        Assert.Equal("job-alert-silence-reason", Accessibility.LastFocused(cut, JSInterop).GetAttribute("data-testid"));

        cut.Find("[data-testid=job-alert-silence-reason]").Change("known slow storage");
        cut.Find("[data-testid=job-alert-silence-for]").Change("90m");
        cut.Find("[data-testid=job-alert-silence-confirm]").Click();

        var silence = Assert.Single(Alerts.Silences);
        Assert.Equal((AlertKind.Stalled, JobId, TimeSpan.FromMinutes(90), "olga", "known slow storage"),
            (silence.Matchers.Kind, silence.Matchers.JobId, silence.EndsAt - silence.CreatedAt, silence.CreatedBy, silence.Reason));
        cut.WaitForAssertion(() => Assert.Equal("silenced by olga until 2026-11-26 11:31:00 UTC: known slow storage", cut.Find("[data-testid=job-alert-silence]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=job-alert-silence-form]"));
        Assert.Contains(Audit.Records, r => r.Action == AuditActions.SilenceCreated && r.User == "olga");
    }

    [Fact]
    public void Silence_opens_one_form_under_the_open_alert_not_under_its_past_occurrences()
    {
        Alerts.Alerts.Add(Alert(JobId, AlertKind.Stalled, AlertState.Firing, "no progress for 40 s", SampleJobs.Start.AddSeconds(50)) with { Occurrence = 2 });
        Alerts.Alerts.Add(Alert(JobId, AlertKind.Stalled, AlertState.Resolved, "no progress for 35 s", SampleJobs.Start) with { ResolvedAt = SampleJobs.Start.AddSeconds(20) });
        var cut = RenderJob();

        cut.Find("[data-testid=job-alert-silence-start]").Click();

        Assert.Equal(["job-alert-row", "job-alert-silence-form", "job-alert-row"],
            cut.Find("[data-testid=job-alert-table] tbody").Children.Select(row => row.GetAttribute("data-testid")));
    }

    [Fact]
    public void A_silence_without_a_reason_is_refused_with_what_to_fix_and_Escape_closes_the_form()
    {
        Alerts.Alerts.Add(Alert(JobId, AlertKind.Stalled, AlertState.Firing, "no progress for 40 s", SampleJobs.Start));
        var cut = RenderJob();

        cut.Find("[data-testid=job-alert-silence-start]").Click();
        cut.Find("[data-testid=job-alert-silence-confirm]").Click();

        Assert.Empty(Alerts.Silences);
        Assert.Contains("reason", cut.Find("[data-testid=job-alert-error]").TextContent, StringComparison.OrdinalIgnoreCase);
        cut.Find("[data-testid=job-alert-silence-form] [role=group]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Escape" });
        Assert.Empty(cut.FindAll("[data-testid=job-alert-silence-form]"));
        Assert.Empty(Alerts.Silences);
    }

    [Fact]
    public void A_viewer_sees_the_jobs_alerts_but_cannot_act_on_them()
    {
        LogInAs("vera", CaasRoles.Viewer);
        Alerts.Alerts.Add(Alert(JobId, AlertKind.Stalled, AlertState.Firing, "no progress for 40 s", SampleJobs.Start));

        var cut = RenderJob();

        Assert.Single(cut.FindAll("[data-testid=job-alert-row]"));
        Assert.Empty(cut.FindAll("[data-testid=job-alert-ack]"));
        Assert.Empty(cut.FindAll("[data-testid=job-alert-silence-start]"));
    }
}
