using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.Contracts.Services;

/// <summary>Read side for the portal and the API: answers come from read models and the event store.</summary>
public interface IJobQueries
{
    /// <summary>Jobs newest first, optionally only those in <paramref name="status"/> and in one of <paramref name="projects"/> (every project when null).</summary>
    Task<Page<JobSummary>> ListJobsAsync(int skip, int take, JobStatus? status = null, IReadOnlyCollection<string>? projects = null, CancellationToken cancellationToken = default);
    /// <summary>One page of jobs, filtered and sorted as <paramref name="query"/> says; refuses a bad query with <see cref="OperationRejectedException"/>.</summary>
    Task<Page<JobSummary>> ListJobsAsync(JobListQuery query, CancellationToken cancellationToken = default);
    /// <summary>The job's newest heartbeats (at most <paramref name="take"/>), oldest first, for its charts; empty before its first heartbeat.</summary>
    Task<IReadOnlyList<JobSamplePoint>> GetSamplesAsync(string jobId, int take, CancellationToken cancellationToken = default);
    /// <returns>Null when no job has that id.</returns>
    Task<JobView?> GetJobAsync(string jobId, CancellationToken cancellationToken = default);
    /// <summary>The job's events newest first.</summary>
    Task<Page<TimelineEntry>> GetTimelineAsync(string jobId, int skip, int take, CancellationToken cancellationToken = default);
    /// <summary>Open alerts first, then recently resolved ones.</summary>
    Task<IReadOnlyList<AlertView>> GetAlertsAsync(bool includeResolved = false, CancellationToken cancellationToken = default);
    /// <summary>Checkpoints across jobs (or of one, by the filter), newest first, including deleted and pruned ones unless filtered out.</summary>
    Task<Page<CheckpointCatalogEntry>> ListCheckpointsAsync(CheckpointCatalogFilter filter, int skip, int take, CancellationToken cancellationToken = default);
    /// <summary>The project of each of <paramref name="jobIds"/> that exists (others are left out): what decides who may see a job's alerts.</summary>
    Task<IReadOnlyDictionary<string, string>> GetJobProjectsAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<NodeStatus>> GetNodesAsync(CancellationToken cancellationToken = default);
}
