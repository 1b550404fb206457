using System.Text.Json;
using Caas.Contracts.Events;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Caas.Contracts.Alerts;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains.Alerts;

namespace Caas.Monitoring.Grains.ReadModels;

/// <summary>The read side: lists and alerts from in-memory projections, one job from its grain, the timeline from its stream.</summary>
public sealed class JobQueries(
    IGrainFactory grains,
    IEventStore store,
    EventSerializer serializer,
    JobListProjection jobs,
    IAlertOperations alerts,
    CheckpointCatalogProjection checkpoints) : IJobQueries
{
    public const int MaxPageSize = 1000;

    public Task<Page<JobSummary>> ListJobsAsync(int skip, int take, JobStatus? status = null, IReadOnlyCollection<string>? projects = null, CancellationToken cancellationToken = default)
    {
        ValidatePage(skip, take);
        if (status is { } s && !Enum.IsDefined(s))
            throw new OperationRejectedException(RejectionKind.Invalid, $"'{(int)s}' is not a job status.");
        return Task.FromResult(jobs.List(skip, take, status, projects));
    }

    public async Task<Page<JobSummary>> ListJobsAsync(JobListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ValidatePage(query.Skip, query.Take);
        if (query.Status is { } s && !Enum.IsDefined(s))
            throw new OperationRejectedException(RejectionKind.Invalid, $"'{(int)s}' is not a job status.");
        if (!Enum.IsDefined(query.Sort))
            throw new OperationRejectedException(RejectionKind.Invalid, $"'{(int)query.Sort}' is not a field the job list sorts by.");
        if (query.Text is { Length: > JobListQuery.MaxTextLength })
            throw new OperationRejectedException(RejectionKind.Invalid, $"The search text may have at most {JobListQuery.MaxTextLength} characters.");
        HashSet<string>? nodesInPool = null;
        if (query.Pool is { } pool)
            nodesInPool = (await GetNodesAsync(cancellationToken)).Where(n => n.Pool == pool).Select(n => n.NodeId).ToHashSet(StringComparer.Ordinal);
        return jobs.Search(query, nodesInPool);
    }

    public async Task<IReadOnlyList<JobSamplePoint>> GetSamplesAsync(string jobId, int take, CancellationToken cancellationToken = default)
    {
        if (take is < 1 or > MaxSamples)
            throw new OperationRejectedException(RejectionKind.Invalid, $"'take' must be between 1 and {MaxSamples}, not {take}.");
        if (!JobIds.IsValid(jobId))
            throw new OperationRejectedException(RejectionKind.NotFound, $"Job '{jobId}' does not exist.");
        // A running job's stream is mostly heartbeats and progress reports, about two events per sample; read a few
        // more so that checkpoints and other events in between do not leave the charts short.
        var events = await store.ReadStreamBackwardAsync(jobId, StreamPosition.End, Math.Min(take * 3, MaxSamples * 3), cancellationToken);
        var samples = new List<JobSamplePoint>(take);
        foreach (var recorded in events)
        {
            if (recorded.Type != HeartbeatType || samples.Count == take)
                continue;
            if (serializer.Deserialize(recorded) is HeartbeatRecorded heartbeat)
                samples.Add(new JobSamplePoint(heartbeat.At, heartbeat.Sample.CpuSeconds, heartbeat.Sample.RssBytes, heartbeat.Sample.Progress));
        }
        samples.Reverse();
        return samples;
    }

    /// <summary>The most samples one request returns: ten minutes of one-second heartbeats.</summary>
    public const int MaxSamples = 600;
    private static readonly string HeartbeatType = typeof(HeartbeatRecorded).GetCustomAttributes(typeof(EventTypeAttribute), false).Cast<EventTypeAttribute>().Single().Name;
    public Task<IReadOnlyDictionary<string, string>> GetJobProjectsAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken = default) =>
        Task.FromResult(jobs.ProjectsOf(jobIds));

    public async Task<JobView?> GetJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        if (!JobIds.IsValid(jobId))
            return null;
        return await grains.GetGrain<IJobGrain>(jobId).GetView();
    }

    public async Task<Page<TimelineEntry>> GetTimelineAsync(string jobId, int skip, int take, CancellationToken cancellationToken = default)
    {
        ValidatePage(skip, take);
        var newest = JobIds.IsValid(jobId)
            ? await store.ReadStreamBackwardAsync(jobId, StreamPosition.End, 1, cancellationToken)
            : [];
        if (newest.Count == 0)
            throw new OperationRejectedException(RejectionKind.NotFound, $"Job '{jobId}' does not exist.");
        var total = newest[0].Version + 1;
        var from = newest[0].Version - skip;
        var events = from < 0 ? [] : await store.ReadStreamBackwardAsync(jobId, from, take, cancellationToken);
        var entries = events.Select(ToEntry).ToArray();
        return new Page<TimelineEntry>(entries, (int)Math.Min(total, int.MaxValue), skip, take);
    }

    /// <summary>Open alerts (pending, firing, acknowledged) and, when asked, recently resolved ones.</summary>
    public async Task<IReadOnlyList<AlertView>> GetAlertsAsync(bool includeResolved = false, CancellationToken cancellationToken = default)
    {
        var page = await alerts.ListAlertsAsync(null, includeResolved, 0, AlertOperations.MaxPageSize, cancellationToken);
        return page.Items;
    }

    public Task<Page<CheckpointCatalogEntry>> ListCheckpointsAsync(CheckpointCatalogFilter filter, int skip, int take, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ValidatePage(skip, take);
        if (filter.JobId is { } jobId && !JobIds.IsValid(jobId))
            throw new OperationRejectedException(RejectionKind.Invalid, $"'{jobId}' is not a job id (expected \"job-\" and 10 lower-case hex digits).");
        if (filter.Verification is { } v && !Enum.IsDefined(v))
            throw new OperationRejectedException(RejectionKind.Invalid, $"'{(int)v}' is not a verification status.");
        return Task.FromResult(checkpoints.List(filter, skip, take));
    }

    public Task<IReadOnlyList<NodeStatus>> GetNodesAsync(CancellationToken cancellationToken = default) =>
        grains.GetGrain<INodeDirectoryGrain>(0).List();

    private TimelineEntry ToEntry(RecordedEvent recorded)
    {
        try
        {
            var jobEvent = serializer.Deserialize(recorded);
            return new TimelineEntry { Version = recorded.Version, Type = recorded.Type, At = jobEvent.At, Summary = TimelineSummary.Describe(jobEvent), Data = recorded.Data };
        }
        catch (Exception error) when (error is UnknownEventTypeException or JsonException)
        {
            // One event this build cannot read must not hide the rest of the job's history.
            return new TimelineEntry { Version = recorded.Version, Type = recorded.Type, At = recorded.RecordedAt, Summary = $"unreadable event: {error.Message}", Data = recorded.Data };
        }
    }

    private static void ValidatePage(int skip, int take)
    {
        if (skip < 0)
            throw new OperationRejectedException(RejectionKind.Invalid, $"'skip' must be 0 or more, not {skip}.");
        if (take is < 1 or > MaxPageSize)
            throw new OperationRejectedException(RejectionKind.Invalid, $"'take' must be between 1 and {MaxPageSize}, not {take}.");
    }
}
