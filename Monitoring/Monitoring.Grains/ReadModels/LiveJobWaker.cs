using Caas.Contracts.Grains;
using Caas.Monitoring.Grains.Alerts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.ReadModels;

/// <summary>
/// After a restart nothing calls the grain of a job whose agent went quiet, so nothing would notice it stall: once the
/// projections have caught up with the history present at start, activate every job that is still live, and its grain
/// resumes watching it.
/// </summary>
public sealed class LiveJobWaker(IGrainFactory grains, JobListProjection jobs, AlertEngine alerts, ILogger<LiveJobWaker> logger) : BackgroundService
{
    private const int WakeAttempts = 10;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await alerts.CaughtUp.WaitAsync(stoppingToken);
            var jobIds = jobs.LiveJobIds();
            foreach (var jobId in jobIds)
                await WakeAsync(jobId, stoppingToken);
            if (jobIds.Count > 0)
                logger.LogInformation("Woke {Count} live job(s) after start", jobIds.Count);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WakeAsync(string jobId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await grains.GetGrain<IJobGrain>(jobId).GetView();
                return;
            }
            catch (Exception error) when (error is not OperationCanceledException && attempt < WakeAttempts)
            {
                // The silo may still be starting when the projections have caught up.
                logger.LogDebug(error, "Waking job {JobId} failed (attempt {Attempt}); trying again", jobId, attempt);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogWarning(error, "Could not wake job {JobId}; its next report will", jobId);
                return;
            }
        }
    }
}
