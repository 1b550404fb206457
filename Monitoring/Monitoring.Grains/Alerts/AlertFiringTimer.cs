using Caas.Monitoring.EventStore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>Fires pending alerts when their "for" time comes; starts once the feed has caught up with history.</summary>
public sealed class AlertFiringTimer(
    AlertEngine engine,
    [FromKeyedServices(MonitoringClock.Key)] TimeProvider time,
    ILogger<AlertFiringTimer> logger) : BackgroundService
{
    /// <summary>How often to look; an alert fires at most this late, and its event still carries its exact time.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await engine.CaughtUp.WaitAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await engine.FireDueAsync(stoppingToken);
                }
                catch (Exception error) when (error is not OperationCanceledException && error is not WrongExpectedVersionException)
                {
                    logger.LogWarning(error, "Firing due alerts failed; trying again");
                }
                await Task.Delay(Interval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
