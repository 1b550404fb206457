using Caas.Web.Portal.Components.Pages;
using Caas.Web.Portal.Security;

namespace Caas.Portal.Tests.Components;

/// <summary>The audit page: admins read the trail newest first and filter it; nobody else sees it.</summary>
[Trait("Category", "Component")]
public sealed class AuditPageTests : PortalTestContext
{
    public AuditPageTests()
    {
        var records = new (string User, string Action, AuditOutcome Outcome)[]
        {
            ("ada", AuditActions.Login, AuditOutcome.Succeeded),
            ("olga", AuditActions.JobKilled, AuditOutcome.Succeeded),
            ("olga", AuditActions.AccessDenied, AuditOutcome.Refused),
        };
        foreach (var (record, i) in records.Select((r, i) => (r, i)))
            Audit.RecordAsync(new AuditRecord
            {
                Id = Guid.NewGuid(), At = SampleJobs.Start.AddMinutes(i), User = record.User, Action = record.Action, Target = $"target {i}",
                Outcome = record.Outcome, Reason = record.Outcome == AuditOutcome.Refused ? "needs the role admin" : null,
            }).GetAwaiter().GetResult();
    }

    [Fact]
    public void An_admin_reads_the_trail_newest_first_and_filters_it_by_user_and_action()
    {
        LogInAs("ada", CaasRoles.Admin);
        var cut = Render<Audit>();

        Assert.Equal([AuditActions.AccessDenied, AuditActions.JobKilled, AuditActions.Login], cut.FindAll("[data-testid=audit-row]").Select(r => r.GetAttribute("data-action")));
        Assert.Contains("Refused: needs the role admin", cut.FindAll("[data-testid=audit-row]")[0].TextContent, StringComparison.Ordinal);

        cut.Find("[data-testid=audit-user]").Change("olga");
        cut.Find("[data-testid=audit-action]").Change("job.");
        cut.Find("[data-testid=audit-filter]").Submit();

        Assert.Equal([AuditActions.JobKilled], cut.FindAll("[data-testid=audit-row]").Select(r => r.GetAttribute("data-action")));
        cut.Find("[data-testid=audit-user]").Change("nobody");
        cut.Find("[data-testid=audit-filter]").Submit();
        Assert.Single(cut.FindAll("[data-testid=audit-empty]"));
    }

    [Fact]
    public void An_operator_does_not_see_the_trail()
    {
        var cut = Render<Audit>();

        Assert.Single(cut.FindAll("[data-testid=audit-not-allowed]"));
        Assert.Empty(cut.FindAll("[data-testid=audit-row]"));
    }
}
