using Caas.Contracts.Jobs;

namespace Caas.EndToEnd.Tests;

/// <summary>
/// The platform's OpenTelemetry figures on its Prometheus endpoint (Caas:Metrics:Port, loopback only): they move when
/// heartbeats flow, a checkpoint is taken, a stall is detected and a recovery saga ends; Caas:Url does not serve them.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class MetricsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ingestion_checkpoint_detection_and_saga_figures_move_as_a_job_runs_is_checkpointed_stalls_and_is_recovered()
    {
        await using var host = await StandaloneHost.StartAsync(withMetrics: true);
        var metrics = host.MetricsUrl!;
        var before = await PrometheusScrape.FromAsync(metrics);
        var api = host.Api;

        var job = await api.SubmitAsync(CounterJob.Spec("metrics", stallThreshold: TimeSpan.FromSeconds(3)));
        await api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running with progress");
        var sequence = await api.CheckpointAsync(job.JobId);
        var checkpointed = await api.WaitForJobAsync(job.JobId, j => j.Checkpoints.Any(c => c.Sequence == sequence), Patience, "checkpointed");
        JobProcesses.Signal(checkpointed.Pid!.Value, JobProcesses.SIGUSR1);
        await api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && !j.Stalled && j.Pid != checkpointed.Pid, Patience, "restored after the stall");

        var after = await WaitForAsync(metrics, m => m.Sum("caas_recovery_saga_duration_seconds_count") > 0, "a recovery saga's duration");
        Assert.True(after.Sum("caas_monitoring_heartbeat_samples_total") > before.Sum("caas_monitoring_heartbeat_samples_total"), after.Text);
        Assert.True(after.Sum("caas_monitoring_events_recorded_total") > before.Sum("caas_monitoring_events_recorded_total"), after.Text);
        Assert.True(after.Sum("caas_capture_checkpoint_size_bytes_count") >= 1, after.Text);
        Assert.True(after.Sum("caas_capture_checkpoint_size_bytes_sum") > 0, "a checkpoint of a running process has bytes");
        Assert.True(after.Sum("caas_capture_checkpoint_duration_seconds_count") >= 1, after.Text);
        Assert.Equal(1, after.Sum("caas_monitoring_detection_latency_seconds_count", "detector=\"stall\""));
        Assert.Equal(1, after.Sum("caas_recovery_saga_duration_seconds_count", "succeeded=\"true\""));

        using var portal = new HttpClient { BaseAddress = host.Url };
        var onPortal = await portal.GetAsync("/metrics");
        Assert.DoesNotContain("caas_monitoring", await onPortal.Content.ReadAsStringAsync());
        await api.KillAsync(job.JobId);
    }

    internal static async Task<PrometheusScrape> WaitForAsync(Uri metrics, Func<PrometheusScrape, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var scrape = await PrometheusScrape.FromAsync(metrics);
            if (condition(scrape)) return scrape;
            Assert.True(DateTime.UtcNow < deadline, $"no {what} in the metrics within {Patience}:\n{scrape.Text}");
            await Task.Delay(500);
        }
    }
}
