using System.Text.Json;
using Caas.Contracts.Events;
using Caas.Monitoring.EventStore;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains;

/// <summary>
/// A job's stream in the event store, as its grain's journal: folds the stream (from a snapshot when there is one)
/// into a <see cref="JobState"/>, and appends new events with the optimistic concurrency Orleans' CustomStorage expects.
/// The stream's name is the job id itself ("job-" and 10 hex digits).
/// </summary>
public sealed class JobJournal(IEventStore store, EventSerializer serializer, ILogger<JobJournal> logger)
{
    private const int ReplayPageSize = 1000;
    /// <summary>A replay this long leaves a snapshot behind, so the next activation starts from there.</summary>
    public const int SnapshotAfterReplaying = 1000;
    private static readonly TimeSpan StoreRetryPause = TimeSpan.FromSeconds(1);

    public async Task<JobState> Read(string jobId)
    {
        var state = await ReadSnapshot(jobId) ?? new JobState { JobId = jobId };
        var replayed = 0;
        while (true)
        {
            var page = await store.ReadStreamAsync(jobId, state.Version, ReplayPageSize);
            foreach (var recorded in page)
                state.Apply(serializer.Deserialize(recorded));
            replayed += page.Count;
            if (page.Count < ReplayPageSize)
                break;
        }
        if (replayed >= SnapshotAfterReplaying)
            await SaveSnapshot(state);
        return state;
    }

    /// <param name="expectedCount">How many events the writer believes the stream holds.</param>
    /// <returns>False when the stream holds another number of events: the caller must re-read it.</returns>
    public async Task<bool> Append(string jobId, IReadOnlyList<IJobEvent> events, int expectedCount)
    {
        try
        {
            // A plain loop: this runs for every heartbeat of every job.
            var data = new EventData[events.Count];
            for (var i = 0; i < data.Length; i++)
                data[i] = serializer.ToEventData(jobId, expectedCount + i, events[i]);
            // Orleans counts events; the store names the last event's version.
            await store.AppendAsync(jobId, expectedCount - 1, data);
            MonitoringMetrics.EventsRecorded.Add(data.Length);
            return true;
        }
        catch (WrongExpectedVersionException conflict)
        {
            logger.LogWarning("Job {JobId}: {Message}; re-reading the stream", jobId, conflict.Message);
            return false;
        }
        catch (Exception error)
        {
            // Orleans retries a failed write at once and forever; pausing keeps a broken store from spinning a core.
            logger.LogError(error, "Recording {Count} event(s) of job {JobId} failed; retrying in {Pause}", events.Count, jobId, StoreRetryPause);
            await Task.Delay(StoreRetryPause);
            throw;
        }
    }

    private async Task<JobState?> ReadSnapshot(string jobId)
    {
        try
        {
            return await store.ReadSnapshotAsync(jobId) is { } snapshot ? JobStateSnapshot.Restore(snapshot) : null;
        }
        catch (JsonException error)
        {
            logger.LogWarning(error, "Ignored the unreadable snapshot of job {JobId}; replaying its whole stream", jobId);
            return null;
        }
    }

    private async Task SaveSnapshot(JobState state)
    {
        try
        {
            if (JobStateSnapshot.Of(state) is { } snapshot)
                await store.SaveSnapshotAsync(snapshot);
        }
        catch (Exception error)
        {
            // Only an optimisation: the stream still holds everything.
            logger.LogWarning(error, "Could not save a snapshot of job {JobId}", state.JobId);
        }
    }
}
