using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.EndToEnd.Tests;

/// <summary>Failures and stalls of real processes, as operators see them through the API.</summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class DetectionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_job_that_exits_non_zero_is_failed_with_its_exit_code_and_raises_a_failed_alert()
    {
        await using var host = await StandaloneHost.StartAsync();
        var job = await host.Api.SubmitAsync(new { command = "/bin/sh", args = new[] { "-c", "sleep 1; exit 3" }, name = "e2e exit 3" });

        var failed = await host.Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Failed, Patience, "failed");

        Assert.Equal(3, failed.ExitCode);
        Assert.Equal("exit code 3", failed.StatusReason);
        var alert = await host.Api.WaitForAlertAsync(job.JobId, a => a.Kind == AlertKind.Failed, Patience, "a failed alert");
        Assert.Contains("exit code 3", alert.Message);
        Assert.Single(await host.Api.GetAlertsAsync(), a => a.JobId == job.JobId);
    }

    [Fact]
    public async Task A_stopped_process_is_stalled_with_an_alert_that_says_so_and_resolves_when_it_continues()
    {
        await using var host = await StandaloneHost.StartAsync();
        var threshold = TimeSpan.FromSeconds(3);
        var job = await host.Api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("counter"),
            args = new[] { "--target", "1000000", "--rate", "20" },
            name = "e2e sigstop",
            stallThresholdSeconds = threshold.TotalSeconds,
            onStall = "AlertOnly",
        });
        var running = await host.Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running");

        JobProcesses.Signal(running.Pid!.Value, JobProcesses.SIGSTOP);
        try
        {
            var stalled = await host.Api.WaitForJobAsync(job.JobId, j => j.Stalled, Patience, "stalled");
            Assert.Equal(JobStatus.Running, stalled.Status);
            Assert.True(stalled.LastProgressAt is not null);
            var alert = await host.Api.WaitForAlertAsync(job.JobId, a => a.Kind == AlertKind.Stalled, Patience, "a stall alert");
            Assert.Null(alert.ResolvedAt);
            Assert.Single(await host.Api.GetAlertsAsync(), a => a.JobId == job.JobId);
            Assert.Contains("stopped (state T)", alert.Message);
        }
        finally
        {
            JobProcesses.Signal(running.Pid!.Value, JobProcesses.SIGCONT);
        }

        var resumed = await host.Api.WaitForJobAsync(job.JobId, j => !j.Stalled && j.Progress > running.Progress, Patience, "making progress after SIGCONT");
        Assert.Equal(running.Pid, resumed.Pid);
        await host.Api.WaitForAlertAsync(job.JobId, a => a.Kind == AlertKind.Stalled && a.ResolvedAt is not null, Patience, "the stall alert resolved");
        Assert.Single(await host.Api.GetAlertsAsync(), a => a.JobId == job.JobId);
        await host.Api.KillAsync(job.JobId);
    }
}
