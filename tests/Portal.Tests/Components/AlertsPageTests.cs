using Caas.Web.Portal.Components.Pages;
using Caas.Web.Portal.Security;

namespace Caas.Portal.Tests.Components;

[Trait("Category", "Component")]
public sealed class AlertsPageTests : PortalTestContext
{
    private static AlertView Firing(string jobId, string name) => new()
    {
        Id = $"stalled-{jobId}", JobId = jobId, JobName = name, Kind = AlertKind.Stalled, State = AlertState.Firing,
        Message = "no progress for 40 s", RaisedAt = SampleJobs.Start, FiredAt = SampleJobs.Start,
    };

    [Fact]
    public void An_operator_acknowledges_a_firing_alert_and_sees_who_did()
    {
        Alerts.Alerts.Add(Firing("job-000000000a", "sim"));
        var cut = Render<Alerts>();

        cut.Find("[data-testid=ack]").Click();

        Assert.Equal([("stalled-job-000000000a", "olga", (string?)null)], Alerts.Acknowledged);
        cut.WaitForAssertion(() => Assert.Equal("Acknowledged", cut.Find("[data-testid=alert-state]").TextContent));
        Assert.Contains("acknowledged by olga", cut.Find("[data-testid=acknowledged-by]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=ack]"));
    }

    [Fact]
    public void A_viewer_sees_alerts_and_silences_but_no_actions()
    {
        LogInAs("vera", CaasRoles.Viewer);
        Alerts.Alerts.Add(Firing("job-000000000a", "sim"));
        Alerts.Silences.Add(new SilenceView { Id = "s9", Matchers = new SilenceMatchers { NameGlob = "nightly-*" }, CreatedAt = SampleJobs.Start, EndsAt = SampleJobs.Start.AddHours(3), CreatedBy = "olga", Reason = "maintenance" });

        var cut = Render<Alerts>();

        Assert.Single(cut.FindAll("[data-testid=alert-row]"));
        Assert.Contains("name=nightly-*", cut.Find("[data-testid=silence-item]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=ack]"));
        Assert.Empty(cut.FindAll("[data-testid=silence-form]"));
        Assert.Empty(cut.FindAll("[data-testid=expire]"));
    }

    [Theory]
    [InlineData(CaasRoles.Operator, new[] { "s-job" })]
    [InlineData(CaasRoles.Admin, new[] { "s-job", "s-fleet" })]
    public void Only_an_admin_sees_Expire_on_a_fleet_wide_silence(string role, string[] expirable)
    {
        LogInAs("someone", role);
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start));
        Alerts.Silences.Add(new SilenceView { Id = "s-job", Matchers = new SilenceMatchers { JobId = "job-000000000a" }, CreatedAt = SampleJobs.Start, EndsAt = SampleJobs.Start.AddHours(3), CreatedBy = "olga", Reason = "known slow storage" });
        Alerts.Silences.Add(new SilenceView { Id = "s-fleet", Matchers = new SilenceMatchers { NameGlob = "nightly-*" }, CreatedAt = SampleJobs.Start, EndsAt = SampleJobs.Start.AddHours(3), CreatedBy = "admin", Reason = "maintenance" });

        var cut = Render<Alerts>();

        Assert.Equal(2, cut.FindAll("[data-testid=silence-item]").Count);
        Assert.Equal(expirable, cut.FindAll("[data-testid=silence-item]").Where(i => i.QuerySelector("[data-testid=expire]") is not null)
            .Select(i => i.QuerySelector(".mono")!.TextContent));
    }

    [Fact]
    public void Silence_prefills_the_form_from_an_alert_and_creates_a_silence_with_a_reason()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start));
        Alerts.Alerts.Add(Firing("job-000000000a", "sim"));
        var cut = Render<Alerts>();

        var reasonField = cut.Find("[data-testid=silence-reason]").GetAttribute("blazor:elementreference");
        cut.Find("[data-testid=silence]").Click();
        // The keyboard goes to the form's one empty field, below the table.
        Assert.False(string.IsNullOrEmpty(reasonField));
        Assert.Equal(reasonField, Accessibility.LastFocusedReferenceId(JSInterop));
        cut.Find("[data-testid=silence-reason]").Change("known slow storage");
        cut.Find("[data-testid=silence-create]").Click();

        var silence = Assert.Single(Alerts.Silences);
        Assert.Equal((AlertKind.Stalled, "job-000000000a", TimeSpan.FromHours(2), "olga", "known slow storage"),
            (silence.Matchers.Kind, silence.Matchers.JobId, silence.EndsAt - silence.CreatedAt, silence.CreatedBy, silence.Reason));
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=silence-item]")));
    }

    [Fact]
    public void A_silence_without_a_reason_or_with_an_unreadable_duration_is_refused_with_what_to_fix()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start));
        var cut = Render<Alerts>();

        cut.Find("[data-testid=silence-job]").Change("job-000000000a");
        cut.Find("[data-testid=silence-for]").Change("two hours");
        cut.Find("[data-testid=silence-reason]").Change("x");
        cut.Find("[data-testid=silence-create]").Click();
        Assert.Contains("'for' must be a duration", cut.Find("[data-testid=silence-problem]").TextContent, StringComparison.Ordinal);

        cut.Find("[data-testid=silence-for]").Change("2h");
        cut.Find("[data-testid=silence-reason]").Change("");
        cut.Find("[data-testid=silence-create]").Click();
        Assert.Contains("reason", cut.Find("[data-testid=silence-problem]").TextContent, StringComparison.Ordinal);
        Assert.Empty(Alerts.Silences);
    }

    [Fact]
    public void History_pages_through_resolved_alerts_with_their_delivery_status()
    {
        for (var i = 0; i < 30; i++)
            Alerts.Alerts.Add(Firing($"job-{i:x10}", $"job {i}") with
            {
                State = AlertState.Resolved, ResolvedAt = SampleJobs.Start.AddMinutes(1),
                Deliveries = [new AlertDelivery { Webhook = "http://127.0.0.1:9/hook", Notification = "firing", Status = DeliveryStatus.Failed, Attempts = 8, LastError = "HTTP 500" }],
            });
        var cut = Render<Alerts>();

        cut.Find("[data-testid=filter-history]").Click();
        Assert.Equal(["filter-history"], cut.FindAll("[aria-pressed=true]").Select(b => b.GetAttribute("data-testid")));
        Assert.Equal(25, cut.FindAll("[data-testid=alert-row]").Count);
        Assert.Contains("firing → http://127.0.0.1:9/hook: Failed (8 attempt(s)), HTTP 500", cut.Find("[data-testid=delivery]").TextContent, StringComparison.Ordinal);
        cut.Find("[data-testid=next]").Click();

        Assert.Equal(5, cut.FindAll("[data-testid=alert-row]").Count);
        Assert.Equal(["job 25", "job 29"], new[] { cut.FindAll("[data-testid=alert-row]")[0].TextContent, cut.FindAll("[data-testid=alert-row]")[^1].TextContent }
            .Select(text => System.Text.RegularExpressions.Regex.Match(text, "job \\d+").Value));
        // An operator's page is gathered across the projects they may see, then paged (JobVisibility), so the filter is what reaches the platform.
        Assert.Equal((AlertState.Resolved, false), (Alerts.ListCalls[^1].State, Alerts.ListCalls[^1].IncludeResolved));
    }
}
