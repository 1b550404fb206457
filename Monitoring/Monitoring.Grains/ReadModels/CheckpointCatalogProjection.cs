using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.ReadModels;

/// <summary>
/// Every checkpoint of every job, folded from $all: what was taken, whether a test restore proved it, and whether its
/// bundle is gone (deleted by an operator or pruned by retention). Kept in memory and checkpointed by the feed; it reads
/// the job list (for the job's name).
/// </summary>
public sealed class CheckpointCatalogProjection : IProjection
{
    public const string ProjectionName = "checkpoints";

    private readonly Lock _gate = new();
    private readonly Dictionary<(string JobId, int Sequence), CheckpointCatalogEntry> _entries = [];
    // A job's project never changes, so it is noted with its first checkpoint and filters by project.
    private readonly Dictionary<string, string> _projects = new(StringComparer.Ordinal);

    public string Name => ProjectionName;
    public string StateType => "CheckpointCatalog/1";
    public IReadOnlyList<string> Reads => [JobListProjection.ProjectionName];

    public string SaveState()
    {
        lock (_gate)
            return ProjectionJson.Serialize(_entries.Values.ToList());
    }

    public void RestoreState(string state)
    {
        var saved = ProjectionJson.Deserialize<List<CheckpointCatalogEntry>>(state);
        lock (_gate)
        {
            _entries.Clear();
            foreach (var entry in saved)
                _entries[(entry.JobId, entry.Sequence)] = entry;
        }
    }

    public void Reset()
    {
        lock (_gate)
            _entries.Clear();
    }

    /// <param name="job">The job as it is after <paramref name="jobEvent"/>.</param>
    public void Apply(IJobEvent jobEvent, JobState job)
    {
        ArgumentNullException.ThrowIfNull(jobEvent);
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            switch (jobEvent)
            {
                case CheckpointTaken e:
                    _entries[(e.JobId, e.Checkpoint.Sequence)] = new CheckpointCatalogEntry { JobId = e.JobId, JobName = job.Name, Checkpoint = e.Checkpoint };
                    _projects[e.JobId] = job.Project;
                    break;
                case CheckpointVerificationRequested e:
                    Update(e.JobId, e.Sequence, c => c with { Verification = CheckpointVerification.Verifying });
                    break;
                case CheckpointVerified e:
                    Update(e.JobId, e.Sequence, c => c with { Verification = CheckpointVerification.Verified, VerifiedAt = e.At, VerificationProblem = null });
                    break;
                case CheckpointVerificationFailed e:
                    Update(e.JobId, e.Sequence, c => c with { Verification = CheckpointVerification.Failed, VerifiedAt = e.At, VerificationProblem = e.Reason });
                    break;
                case CheckpointMoved e:
                    Update(e.JobId, e.Sequence, c => c with { BytesMoved = c.BytesMoved + e.BytesMoved });
                    break;
                case JobRestored e:
                    Update(e.JobId, e.Sequence, c => c with { RestoreDuration = e.Duration });
                    break;
                case CheckpointDeleted e:
                    Update(e.JobId, e.Sequence, c => c with { Removal = e.Removal, RemovedAt = e.At, RemovalReason = e.Reason });
                    break;
            }
        }
    }

    /// <summary>Newest taken first (then by job and newest sequence), filtered.</summary>
    public Page<CheckpointCatalogEntry> List(CheckpointCatalogFilter filter, int skip, int take)
    {
        ArgumentNullException.ThrowIfNull(filter);
        lock (_gate)
        {
            var matching = _entries.Values
                .Where(c => filter.JobId is null || c.JobId == filter.JobId)
                .Where(c => filter.Projects is null || filter.Projects.Contains(_projects.GetValueOrDefault(c.JobId, JobProjects.Default)))
                .Where(c => filter.NodeId is null || c.Checkpoint.NodeId == filter.NodeId)
                .Where(c => filter.Verification is null || c.Verification == filter.Verification)
                .Where(c => filter.IncludeRemoved || c.Exists)
                .OrderByDescending(c => c.Checkpoint.TakenAt)
                .ThenBy(c => c.JobId, StringComparer.Ordinal)
                .ThenByDescending(c => c.Sequence)
                .ToList();
            return new Page<CheckpointCatalogEntry>(matching.Skip(skip).Take(take).ToArray(), matching.Count, skip, take);
        }
    }

    private void Update(string jobId, int sequence, Func<CheckpointCatalogEntry, CheckpointCatalogEntry> change)
    {
        if (_entries.TryGetValue((jobId, sequence), out var entry))
            _entries[(jobId, sequence)] = change(entry);
    }
}
