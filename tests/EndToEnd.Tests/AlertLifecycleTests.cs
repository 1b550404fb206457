using Caas.Contracts.Alerts;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.EndToEnd.Tests;

/// <summary>An alert's whole life on the standalone platform, with a real stopped process and a real webhook receiver.</summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class AlertLifecycleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_stalled_job_fires_a_signed_notification_is_acknowledged_and_resolves_with_a_resolved_notification()
    {
        const string secret = "e2e webhook secret 4f1c";
        await using var receiver = await SignedWebhookReceiver.StartAsync(secret);
        await using var host = await StandaloneHost.StartAsync(settings: new Dictionary<string, string>
        {
            ["Caas__Alerts__Webhooks__0__Url"] = receiver.Url,
            ["Caas__Alerts__Webhooks__0__Secret"] = secret,
        });
        var job = await host.Api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("counter"),
            args = new[] { "--target", "1000000", "--rate", "20" },
            name = "e2e alert lifecycle",
            stallThresholdSeconds = 3,
            onStall = "AlertOnly",
        });
        var running = await host.Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running");
        var alertId = $"stalled-{job.JobId}";

        JobProcesses.Signal(running.Pid!.Value, JobProcesses.SIGSTOP);
        try
        {
            var firing = await receiver.WaitForAsync(alertId, "firing", Patience);
            Assert.Equal(job.JobId, firing.GetProperty("subjectId").GetString());
            Assert.Equal(AlertState.Firing, (await host.Api.GetAlertAsync(alertId)).State);

            var acknowledged = await host.Api.AcknowledgeAlertAsync(alertId, "looking at it");
            Assert.Equal((AlertState.Acknowledged, "admin", "looking at it"), (acknowledged.State, acknowledged.AcknowledgedBy, acknowledged.AcknowledgeComment));
        }
        finally
        {
            JobProcesses.Signal(running.Pid!.Value, JobProcesses.SIGCONT);
        }

        await receiver.WaitForAsync(alertId, "resolved", Patience);
        var resolved = await host.Api.GetAlertAsync(alertId);
        Assert.Equal(AlertState.Resolved, resolved.State);
        Assert.Equal("admin", resolved.AcknowledgedBy);
        var deadline = DateTime.UtcNow + Patience;
        while (resolved.Deliveries.Count(d => d.Status == DeliveryStatus.Delivered) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            resolved = await host.Api.GetAlertAsync(alertId);
        }
        Assert.Equal([("firing", DeliveryStatus.Delivered), ("resolved", DeliveryStatus.Delivered)], resolved.Deliveries.Select(d => (d.Notification, d.Status)));
        Assert.Equal(0, receiver.Refused);
        Assert.DoesNotContain(secret, host.ReadLog(), StringComparison.Ordinal);
        await host.Api.KillAsync(job.JobId);
    }
}
