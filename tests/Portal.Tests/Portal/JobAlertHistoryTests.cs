using Caas.Web.Portal.Portal;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Portal;

[Trait("Category", "Unit")]
public sealed class JobAlertHistoryTests
{
    private const string JobId = "job-000000000a";
    private readonly FakeAlerts alerts = new(new FakeTimeProvider(SampleJobs.Start));

    private static AlertView Alert(string jobId, int n, AlertState state) => new()
    {
        Id = $"stalled-{jobId}-{n}", JobId = jobId, JobName = jobId, Kind = AlertKind.Stalled, State = state,
        Message = $"alert {n}", RaisedAt = SampleJobs.Start,
    };

    [Fact]
    public async Task Finds_the_jobs_alerts_beyond_the_first_page_of_the_alert_service_in_its_order()
    {
        for (var i = 0; i < 2500; i++)
            alerts.Alerts.Add(Alert($"job-1{i:x9}", i, AlertState.Resolved));
        alerts.Alerts.Insert(0, Alert(JobId, 1, AlertState.Firing));
        alerts.Alerts.Insert(1800, Alert(JobId, 2, AlertState.Resolved));

        var found = await JobAlertHistory.ListAsync(alerts, JobId);

        Assert.Equal(["alert 1", "alert 2"], found.Select(a => a.Message));
        Assert.All(alerts.ListCalls, call => Assert.Equal((null, true), (call.State, call.IncludeResolved)));
    }

    [Fact]
    public async Task Shows_at_most_the_newest_fifty_and_stops_reading_once_it_has_them()
    {
        for (var i = 0; i < 3000; i++)
            alerts.Alerts.Add(Alert(JobId, i, i < 10 ? AlertState.Firing : AlertState.Resolved));

        var found = await JobAlertHistory.ListAsync(alerts, JobId);

        Assert.Equal(JobAlertHistory.MaxShown, found.Count);
        Assert.Equal("alert 0", found[0].Message);
        Assert.Single(alerts.ListCalls);
    }
}
