using System.Text.Json;
using Caas.Monitoring.EventStore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.ReadModels;

/// <summary>Feeds the job list and alert projections from $all: from position 0 at every start (history), then live.</summary>
public sealed class ProjectionFeed(
    IEventStore store,
    EventSerializer serializer,
    JobListProjection jobs,
    AlertProjection alerts,
    ILogger<ProjectionFeed> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
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
            var jobEvent = serializer.Deserialize(recorded);
            if (jobs.Apply(jobEvent, recorded.Position) is { } job)
                alerts.Apply(jobEvent, job);
        }
        catch (Exception error) when (error is UnknownEventTypeException or JsonException)
        {
            // One unreadable event must not blind the portal to everything after it.
            logger.LogError(error, "Skipped event {Position} of stream {Stream}", recorded.Position, recorded.Stream);
        }
        return ValueTask.CompletedTask;
    }
}
