using System.Text.Json;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains.Alerts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.ReadModels;

/// <summary>
/// Feeds the job list, the checkpoint catalog and the alerts from $all, from position 0 at every start (history), then
/// live: job events update the job list and the catalog and begin or end alert conditions, which the alert engine turns
/// into alert events; those come back through here too and are folded (once: the engine ignores versions it already has).
/// </summary>
public sealed class ProjectionFeed(
    IEventStore store,
    EventSerializer serializer,
    JobListProjection jobs,
    AlertConditions conditions,
    AlertEngine alerts,
    CheckpointCatalogProjection checkpoints,
    IGrainFactory grains,
    ILogger<ProjectionFeed> logger) : BackgroundService
{
    private const int WakeAttempts = 10;
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(5);
    private long _headAtStart;
    private bool _headRead;
    private bool _caughtUp;
    /// <summary>The position after the last event applied: where a resumed subscription starts.</summary>
    private long _next;
    /// <summary>The wait before resuming after a failure: doubles while the store stays away, back to the first once events flow.</summary>
    private TimeSpan _pause = FirstPause;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!_headRead)
                {
                    _headAtStart = await store.ReadHeadPositionAsync(stoppingToken);
                    _headRead = true;
                    if (_headAtStart == 0)
                    {
                        _caughtUp = true;
                        alerts.MarkCaughtUp();
                    }
                }
                await store.SubscribeToAllAsync(_next, Apply, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                // The store is unreachable (a database restart, a network cut): the read models stay as they are and
                // pick up where they stopped once it answers, instead of ending the feed (and with it the host).
                logger.LogWarning(error, "The event feed stopped at position {Position}; resuming in {Pause}", _next, _pause);
                try { await Task.Delay(_pause, stoppingToken); }
                catch (OperationCanceledException) { return; }
                _pause = TimeSpan.FromTicks(Math.Min(_pause.Ticks * 2, LongestPause.Ticks));
            }
        }
    }

    private async ValueTask Apply(RecordedEvent recorded, CancellationToken cancellationToken)
    {
        try
        {
            // Job streams feed the job list, the catalog and the alert conditions; alert and silence streams the alert
            // lifecycle; other streams (the node directory's drains) hold nothing for them.
            if (JobIds.IsValid(recorded.Stream) && serializer.Deserialize(recorded) is var jobEvent)
            {
                if (jobs.Apply(jobEvent, recorded.Position) is { } job)
                {
                    checkpoints.Apply(jobEvent, job);
                    await alerts.OnConditionsAsync(conditions.Apply(jobEvent, job), cancellationToken);
                }
            }
            else if (AlertLifecycle.IsAlertingStream(recorded.Stream))
                alerts.OnRecorded(recorded, serializer.DeserializeAny(recorded));
        }
        catch (Exception error) when (error is UnknownEventTypeException or JsonException)
        {
            // One unreadable event must not blind the portal to everything after it.
            logger.LogError(error, "Skipped event {Position} of stream {Stream}", recorded.Position, recorded.Stream);
        }
        _next = recorded.Position + 1;
        _pause = FirstPause;
        if (!_caughtUp && recorded.Position >= _headAtStart)
        {
            _caughtUp = true;
            alerts.MarkCaughtUp();
            _ = WakeLiveJobs(jobs.LiveJobIds(), cancellationToken);
        }
    }

    /// <summary>
    /// After a restart nothing calls the grain of a job whose agent went quiet, so nothing would notice it stall:
    /// activate every job that is still live, and its grain resumes watching it.
    /// </summary>
    private async Task WakeLiveJobs(IReadOnlyList<string> jobIds, CancellationToken cancellationToken)
    {
        foreach (var jobId in jobIds)
        {
            if (cancellationToken.IsCancellationRequested)
                return;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await grains.GetGrain<IJobGrain>(jobId).GetView();
                    break;
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
                    break;
                }
            }
        }
        logger.LogInformation("Woke {Count} live job(s) after start", jobIds.Count);
    }
}
