using System.Text.Json;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Monitoring.EventStore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.ReadModels;

/// <summary>Feeds the job list, alert and checkpoint catalog projections from $all: from position 0 at every start (history), then live.</summary>
public sealed class ProjectionFeed(
    IEventStore store,
    EventSerializer serializer,
    JobListProjection jobs,
    AlertProjection alerts,
    CheckpointCatalogProjection checkpoints,
    IGrainFactory grains,
    ILogger<ProjectionFeed> logger) : BackgroundService
{
    private const int WakeAttempts = 10;
    private long _headAtStart;
    private bool _caughtUp;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            _headAtStart = await store.ReadHeadPositionAsync(stoppingToken);
            if (_headAtStart == 0)
                _caughtUp = true;
            await store.SubscribeToAllAsync(0, Apply, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private ValueTask Apply(RecordedEvent recorded, CancellationToken cancellationToken)
    {
        try
        {
            // Other streams (the node directory's drains) hold no job events.
            if (JobIds.IsValid(recorded.Stream) && serializer.Deserialize(recorded) is var jobEvent
                && jobs.Apply(jobEvent, recorded.Position) is { } job)
            {
                alerts.Apply(jobEvent, job);
                checkpoints.Apply(jobEvent, job);
            }
        }
        catch (Exception error) when (error is UnknownEventTypeException or JsonException)
        {
            // One unreadable event must not blind the portal to everything after it.
            logger.LogError(error, "Skipped event {Position} of stream {Stream}", recorded.Position, recorded.Stream);
        }
        if (!_caughtUp && recorded.Position >= _headAtStart)
        {
            _caughtUp = true;
            _ = WakeLiveJobs(jobs.LiveJobIds(), cancellationToken);
        }
        return ValueTask.CompletedTask;
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
