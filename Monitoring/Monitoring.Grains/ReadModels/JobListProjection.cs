using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.ReadModels;

/// <summary>
/// Every job, newest submission first, folded from $all with the same transitions the grains use.
/// Kept in memory and checkpointed by the feed; rebuildable from the store, which is the truth.
/// </summary>
public sealed class JobListProjection : IProjection
{
    public const string ProjectionName = "jobs";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, JobState> _jobs = new(StringComparer.Ordinal);
    // Sorted newest first so a page is a slice; jobs arrive nearly in submission order, so inserts land near the front.
    private readonly List<JobState> _newestFirst = [];
    private static readonly Comparison<JobState> NewestFirst = (a, b) =>
    {
        var byTime = b.SubmittedAt.CompareTo(a.SubmittedAt);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.JobId, b.JobId);
    };

    /// <summary>Global position of the last event applied; 0 before the first.</summary>
    public long Position { get { lock (_gate) return _position; } }
    private long _position;

    public string Name => ProjectionName;
    public string StateType => "JobList/1";
    public IReadOnlyList<string> Reads => [];

    public string SaveState()
    {
        lock (_gate)
            return ProjectionJson.Serialize(new SavedJobs(_position, _newestFirst));
    }

    public void RestoreState(string state)
    {
        var saved = ProjectionJson.Deserialize<SavedJobs>(state);
        lock (_gate)
        {
            Reset();
            _position = saved.Position;
            _newestFirst.AddRange(saved.Jobs);
            _newestFirst.Sort(NewestFirst);
            foreach (var job in _newestFirst)
                _jobs[job.JobId] = job;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _jobs.Clear();
            _newestFirst.Clear();
            _position = 0;
        }
    }

    /// <returns>The job after the event, or null when the event is about a job never submitted (it is ignored).</returns>
    public JobState? Apply(IJobEvent jobEvent, long position)
    {
        ArgumentNullException.ThrowIfNull(jobEvent);
        lock (_gate)
        {
            _position = Math.Max(_position, position);
            if (jobEvent is JobSubmitted submitted)
            {
                if (_jobs.ContainsKey(submitted.JobId))
                    return _jobs[submitted.JobId];
                var job = new JobState();
                job.Apply(submitted);
                _jobs.Add(job.JobId, job);
                var at = _newestFirst.BinarySearch(job, Comparer<JobState>.Create(NewestFirst));
                _newestFirst.Insert(at < 0 ? ~at : at, job);
                return job;
            }
            if (!_jobs.TryGetValue(jobEvent.JobId, out var known))
                return null;
            known.Apply(jobEvent);
            return known;
        }
    }

    /// <summary>Jobs that are queued, running or being restored: those whose grains must watch them.</summary>
    public IReadOnlyList<string> LiveJobIds()
    {
        lock (_gate)
            return _newestFirst.Where(j => j.Status is JobStatus.Queued or JobStatus.Running or JobStatus.Restoring || j.SwappedOut).Select(j => j.JobId).ToArray();
    }

    /// <summary>One page filtered and sorted as asked; <paramref name="nodesInPool"/> are the nodes of the query's pool.</summary>
    public Page<JobSummary> Search(JobListQuery query, IReadOnlySet<string>? nodesInPool)
    {
        lock (_gate)
            return JobListSearch.Page(_newestFirst, query, nodesInPool);
    }

    /// <summary>Jobs running on <paramref name="nodeId"/> or placed there and not started yet, as far as the stream has told.</summary>
    public IReadOnlyList<string> OnNode(string nodeId)
    {
        lock (_gate)
            // A distributed job is on every node one of its ranks runs on: losing any of them loses the job.
            return _newestFirst.Where(j => j.Status is JobStatus.Running or JobStatus.Queued && (j.NodeId == nodeId || j.Ranks.Exists(r => r.NodeId == nodeId)))
                .Select(j => j.JobId).ToArray();
    }

    /// <param name="projects">Only jobs of these projects; every job when null.</param>
    public Page<JobSummary> List(int skip, int take, JobStatus? status, IReadOnlyCollection<string>? projects = null)
    {
        lock (_gate)
        {
            if (status is null && projects is null)
                return new Page<JobSummary>(
                    _newestFirst.Skip(skip).Take(take).Select(j => j.ToSummary()).ToArray(), _newestFirst.Count, skip, take);
            var items = new List<JobSummary>(Math.Min(take, 256));
            var total = 0;
            foreach (var job in _newestFirst)
            {
                if (status is { } wanted && job.Status != wanted)
                    continue;
                if (projects is not null && !projects.Contains(job.Project))
                    continue;
                if (total >= skip && items.Count < take)
                    items.Add(job.ToSummary());
                total++;
            }
            return new Page<JobSummary>(items, total, skip, take);
        }
    }

    /// <summary>The project of each known job among <paramref name="jobIds"/>.</summary>
    public IReadOnlyDictionary<string, string> ProjectsOf(IEnumerable<string> jobIds)
    {
        lock (_gate)
        {
            var projects = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var id in jobIds)
                if (_jobs.TryGetValue(id, out var job))
                    projects[id] = job.Project;
            return projects;
        }
    }

    private sealed record SavedJobs(long Position, List<JobState> Jobs);
}
