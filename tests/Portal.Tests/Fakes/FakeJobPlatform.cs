namespace Caas.Portal.Tests.Fakes;

/// <summary>
/// A hand-written stand-in for the platform behind the portal: keeps jobs in memory, answers queries from them,
/// records every operation it is asked for, and refuses operations the way the real one does.
/// </summary>
public sealed class FakeJobPlatform(TimeProvider clock) : IJobOperations, IJobQueries, IRecoveryIncidents, INodeOperations, IJobMigrations
{
    private readonly Lock gate = new();

    public List<JobView> Jobs { get; } = [];
    public Dictionary<string, List<TimelineEntry>> Timelines { get; } = [];
    public List<AlertView> Alerts { get; } = [];
    public List<NodeStatus> Nodes { get; } = [];
    public List<RecoveryIncident> Incidents { get; } = [];
    /// <summary>The checkpoint catalog the fake answers from, in any order.</summary>
    public List<CheckpointCatalogEntry> Catalog { get; } = [];

    public List<JobSpec> Submitted { get; } = [];
    public List<(string JobId, bool LeaveRunning)> CheckpointCalls { get; } = [];
    public List<string> KillCalls { get; } = [];
    public List<(string JobId, int? Sequence)> RestoreCalls { get; } = [];
    public List<(int Skip, int Take, JobStatus? Status)> ListCalls { get; } = [];
    public List<JobListQuery> Searches { get; } = [];
    public List<(string JobId, string? NodeId, string? Pool)> MigrateCalls { get; } = [];
    /// <summary>Each job's heartbeats, oldest first, as its charts read them.</summary>
    public Dictionary<string, List<JobSamplePoint>> Samples { get; } = [];
    public List<(string JobId, int Sequence)> VerifyCalls { get; } = [];
    public List<(string JobId, int Sequence)> DeleteCalls { get; } = [];
    public List<(CheckpointCatalogFilter Filter, int Skip, int Take)> CatalogQueries { get; } = [];
    public int AlertQueries { get; private set; }

    /// <summary>When set, reading a job waits for it: a read side slow to answer, as a page's interactive render may meet it.</summary>
    public Task? JobReadsWaitFor { get; set; }

    /// <summary>When set, the next operation throws it instead of doing anything (a rejection, or a failure of the platform).</summary>
    public Exception? RejectNext { get; set; }

    public static readonly Guid RestoreIncident = Guid.Parse("6f1c2a3b-0000-4000-8000-00000000000a");

    public Task<JobView> SubmitAsync(JobSpec spec, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            ThrowIfRejecting();
            var problems = JobSpecValidator.Validate(spec);
            if (problems.Count > 0)
                throw new OperationRejectedException(RejectionKind.Invalid, string.Join(" ", problems));
            Submitted.Add(spec);
            var job = new JobView
            {
                JobId = JobIds.New(),
                Name = spec.Name ?? Path.GetFileName(spec.Command),
                Spec = spec,
                Status = JobStatus.Queued,
                SubmittedAt = clock.GetUtcNow(),
            };
            Jobs.Add(job);
            return Task.FromResult(job);
        }
    }

    public Task<int> CheckpointAsync(string jobId, bool leaveRunning = true, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            ThrowIfRejecting();
            var job = Require(jobId);
            if (job.Status != JobStatus.Running)
                throw new OperationRejectedException(RejectionKind.Conflict, $"Job {jobId} is {job.Status}, not Running: only a running job can be checkpointed.");
            CheckpointCalls.Add((jobId, leaveRunning));
            return Task.FromResult(job.Checkpoints.Select(c => c.Sequence).DefaultIfEmpty(0).Max() + 1);
        }
    }

    public Task KillAsync(string jobId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            ThrowIfRejecting();
            var job = Require(jobId);
            if (job.Status is JobStatus.Completed or JobStatus.Failed or JobStatus.Stopped)
                throw new OperationRejectedException(RejectionKind.Conflict, $"Job {jobId} already ended ({job.Status}).");
            KillCalls.Add(jobId);
            return Task.CompletedTask;
        }
    }

    public Task<Guid> RestoreAsync(string jobId, int? sequence = null, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            ThrowIfRejecting();
            var job = Require(jobId);
            if (job.Checkpoints.Count == 0)
                throw new OperationRejectedException(RejectionKind.Conflict, $"Job {jobId} has no checkpoint to restore from.");
            if (sequence is { } s && job.Checkpoints.All(c => c.Sequence != s))
                throw new OperationRejectedException(RejectionKind.NotFound, $"Job {jobId} has no checkpoint {s}.");
            RestoreCalls.Add((jobId, sequence));
            return Task.FromResult(RestoreIncident);
        }
    }

    /// <summary>Checks the target as the platform does (known, not the job's own node) and starts nothing but the record.</summary>
    public Task<MigrationStarted> MigrateAsync(string jobId, string? nodeId, string? pool, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            ThrowIfRejecting();
            if ((nodeId is null) == (pool is null))
                throw new OperationRejectedException(RejectionKind.Invalid, "Name either a node or a pool to migrate to, not both and not neither.");
            var job = Require(jobId);
            if (job.Status != JobStatus.Running)
                throw new OperationRejectedException(RejectionKind.Conflict, $"Job {jobId} is {job.Status}: only a running job can be migrated.");
            var target = Nodes.Where(n => (nodeId is null || n.NodeId == nodeId) && (pool is null || n.Pool == pool) && n.NodeId != job.NodeId).OrderBy(n => n.NodeId).FirstOrDefault()
                ?? throw new OperationRejectedException(RejectionKind.NotFound, nodeId is null ? $"No node agent is in pool '{pool}'." : $"No node agent '{nodeId}' has registered.");
            MigrateCalls.Add((jobId, nodeId, pool));
            return Task.FromResult(new MigrationStarted(jobId, job.NodeId!, target.NodeId, job.Checkpoints.Select(c => c.Sequence).DefaultIfEmpty(0).Max() + 1));
        }
    }

    public Task VerifyCheckpointAsync(string jobId, int sequence, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            ThrowIfRejecting();
            RequireCheckpoint(jobId, sequence);
            VerifyCalls.Add((jobId, sequence));
            return Task.CompletedTask;
        }
    }

    /// <summary>Refuses as the job grain does: the newest verified checkpoint, and the parent of another, stay.</summary>
    public Task DeleteCheckpointAsync(string jobId, int sequence, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            ThrowIfRejecting();
            RequireCheckpoint(jobId, sequence);
            var existing = Catalog.Where(c => c.JobId == jobId && c.Exists).ToList();
            if (existing.Where(c => c.Verification == CheckpointVerification.Verified).MaxBy(c => c.Sequence)?.Sequence == sequence)
                throw new OperationRejectedException(RejectionKind.Conflict, $"checkpoint {sequence} is the newest verified checkpoint of job {jobId}; the last verified one is never deleted (verify a newer one first)");
            if (existing.FirstOrDefault(c => c.Checkpoint.ParentSequence == sequence) is { } child)
                throw new OperationRejectedException(RejectionKind.Conflict, $"checkpoint {sequence} of job {jobId} is the parent of checkpoint {child.Sequence}, which cannot be restored without it");
            DeleteCalls.Add((jobId, sequence));
            return Task.CompletedTask;
        }
    }

    public Task<Page<CheckpointCatalogEntry>> ListCheckpointsAsync(CheckpointCatalogFilter filter, int skip, int take, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            CatalogQueries.Add((filter, skip, take));
            var matching = Catalog
                .Where(c => (filter.JobId is null || c.JobId == filter.JobId) && (filter.NodeId is null || c.Checkpoint.NodeId == filter.NodeId))
                .Where(c => (filter.Verification is null || c.Verification == filter.Verification) && (filter.IncludeRemoved || c.Exists))
                .Where(c => filter.Projects is null || filter.Projects.Contains(Jobs.FirstOrDefault(j => j.JobId == c.JobId)?.Spec.Project ?? JobProjects.Default))
                .OrderByDescending(c => c.Checkpoint.TakenAt).ThenByDescending(c => c.Sequence)
                .ToList();
            return Task.FromResult(new Page<CheckpointCatalogEntry>(matching.Skip(skip).Take(take).ToList(), matching.Count, skip, take));
        }
    }

    private void RequireCheckpoint(string jobId, int sequence)
    {
        Require(jobId);
        if (!Catalog.Any(c => c.JobId == jobId && c.Sequence == sequence && c.Exists))
            throw new OperationRejectedException(RejectionKind.NotFound, $"Job {jobId} has no checkpoint {sequence}.");
    }

    public Task<Page<JobSummary>> ListJobsAsync(int skip, int take, JobStatus? status = null, IReadOnlyCollection<string>? projects = null, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            ListCalls.Add((skip, take, status));
            var matching = Jobs.Where(j => status is null || j.Status == status).Where(j => projects is null || projects.Contains(j.Spec.Project))
                .OrderByDescending(j => j.SubmittedAt).ToList();
            var items = matching.Skip(skip).Take(take).Select(Summarize).ToList();
            return Task.FromResult(new Page<JobSummary>(items, matching.Count, skip, take));
        }
    }

    /// <summary>Filters and sorts as the real read side does, by plain LINQ over the views.</summary>
    public Task<Page<JobSummary>> ListJobsAsync(JobListQuery query, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            ThrowIfRejecting();
            Searches.Add(query);
            var text = query.Text ?? "";
            var matching = Jobs
                .Where(j => (query.Status is null || j.Status == query.Status) && (query.NodeId is null || j.NodeId == query.NodeId))
                .Where(j => query.Projects is null || query.Projects.Contains(j.Spec.Project))
                .Where(j => query.Pool is null || j.Spec.Pool == query.Pool || Nodes.Any(n => n.NodeId == j.NodeId && n.Pool == query.Pool))
                .Where(j => text.Length == 0 || j.JobId.Contains(text, StringComparison.OrdinalIgnoreCase) || j.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
                    || j.Spec.Command.Contains(text, StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(j => j.SubmittedAt).ThenBy(j => j.JobId, StringComparer.Ordinal)
                .ToList();
            Func<JobView, object?> key = query.Sort switch
            {
                JobSortField.Name => j => j.Name,
                JobSortField.Status => j => j.Status.ToString(),
                JobSortField.Node => j => j.NodeId,
                JobSortField.Progress => j => j.Progress,
                JobSortField.LastHeartbeat => j => j.LastHeartbeatAt,
                _ => j => j.SubmittedAt,
            };
            var sorted = query.Sort == JobSortField.Submitted
                ? (query.Descending ? matching : Enumerable.Reverse(matching).ToList())
                : (query.Descending ? matching.OrderByDescending(key) : matching.OrderBy(key)).ToList();
            var items = sorted.Skip(query.Skip).Take(query.Take).Select(Summarize).ToList();
            return Task.FromResult(new Page<JobSummary>(items, matching.Count, query.Skip, query.Take));
        }
    }

    public Task<IReadOnlyList<JobSamplePoint>> GetSamplesAsync(string jobId, int take, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            Require(jobId);
            var samples = Samples.GetValueOrDefault(jobId) ?? [];
            return Task.FromResult<IReadOnlyList<JobSamplePoint>>(samples.Skip(Math.Max(0, samples.Count - take)).ToList());
        }
    }

    public async Task<JobView?> GetJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        if (JobReadsWaitFor is { } slow)
            await slow;
        lock (gate)
            return Jobs.FirstOrDefault(j => j.JobId == jobId);
    }

    public Task<Page<TimelineEntry>> GetTimelineAsync(string jobId, int skip, int take, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var entries = Timelines.GetValueOrDefault(jobId) ?? [];
            var newestFirst = entries.OrderByDescending(e => e.Version).ToList();
            return Task.FromResult(new Page<TimelineEntry>(newestFirst.Skip(skip).Take(take).ToList(), newestFirst.Count, skip, take));
        }
    }

    public Task<IReadOnlyList<AlertView>> GetAlertsAsync(bool includeResolved = false, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            AlertQueries++;
            return Task.FromResult<IReadOnlyList<AlertView>>(Alerts.Where(a => includeResolved || a.ResolvedAt is null).ToList());
        }
    }

    /// <summary>
    /// The project of each job in <see cref="Jobs"/>; tests that give alerts without adding their jobs get those jobs
    /// in the default project, where every test user is unless the test says otherwise.
    /// </summary>
    public Task<IReadOnlyDictionary<string, string>> GetJobProjectsAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken = default)
    {
        lock (gate)
            return Task.FromResult<IReadOnlyDictionary<string, string>>(jobIds.Distinct().ToDictionary(
                id => id, id => Jobs.FirstOrDefault(j => j.JobId == id)?.Spec.Project ?? JobProjects.Default));
    }

    public Task<IReadOnlyList<NodeStatus>> GetNodesAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
            return Task.FromResult<IReadOnlyList<NodeStatus>>(Nodes.ToList());
    }

    public Task<NodeStatus> DrainAsync(string nodeId, CancellationToken cancellationToken = default) => SetDrained(nodeId, true);

    public Task<NodeStatus> UndrainAsync(string nodeId, CancellationToken cancellationToken = default) => SetDrained(nodeId, false);

    private Task<NodeStatus> SetDrained(string nodeId, bool drained)
    {
        lock (gate)
        {
            var index = Nodes.FindIndex(n => n.NodeId == nodeId);
            if (index < 0)
                throw new OperationRejectedException(RejectionKind.NotFound, $"No node agent '{nodeId}' has registered.");
            Nodes[index] = Nodes[index] with { Drained = drained };
            return Task.FromResult(Nodes[index]);
        }
    }

    /// <summary>Replaces a job's view, as the read side would after new events.</summary>
    public void Update(string jobId, Func<JobView, JobView> change)
    {
        lock (gate)
        {
            var index = Jobs.FindIndex(j => j.JobId == jobId);
            Jobs[index] = change(Jobs[index]);
        }
    }

    /// <summary>Changes one checkpoint's catalog entry as the platform would, safely while it is being listed.</summary>
    public void UpdateCatalog(string jobId, int sequence, Func<CheckpointCatalogEntry, CheckpointCatalogEntry> change)
    {
        lock (gate)
        {
            var index = Catalog.FindIndex(c => c.JobId == jobId && c.Sequence == sequence);
            Catalog[index] = change(Catalog[index]);
        }
    }

    private JobView Require(string jobId) =>
        Jobs.FirstOrDefault(j => j.JobId == jobId) ?? throw new OperationRejectedException(RejectionKind.NotFound, $"No job has id '{jobId}'.");

    private void ThrowIfRejecting()
    {
        if (RejectNext is { } rejection)
        {
            RejectNext = null;
            throw rejection;
        }
    }

    private static JobSummary Summarize(JobView job) => new()
    {
        JobId = job.JobId,
        Name = job.Name,
        Status = job.Status,
        NodeId = job.NodeId,
        Progress = job.Progress,
        SubmittedAt = job.SubmittedAt,
        LastHeartbeatAt = job.LastHeartbeatAt,
        Checkpoints = job.Checkpoints.Count,
        Stalled = job.Stalled,
        Pool = job.Spec.Pool,
        Suspended = job.Suspended,
        Project = job.Spec.Project,
        SwappedOut = job.SwappedOut,
        SwappedOutFor = job.SwappedOutFor,
    };

    public Task<RecoveryIncident?> GetAsync(Guid incidentId, CancellationToken cancellationToken = default)
    {
        lock (gate)
            return Task.FromResult(Incidents.FirstOrDefault(i => i.IncidentId == incidentId));
    }

    public Task<IReadOnlyList<RecoveryIncident>> ListForJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        lock (gate)
            return Task.FromResult<IReadOnlyList<RecoveryIncident>>(Incidents.Where(i => i.JobId == jobId).OrderByDescending(i => i.StartedAt).ToList());
    }

    public Task<IReadOnlyList<RecoveryIncident>> ListOpenAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
            return Task.FromResult<IReadOnlyList<RecoveryIncident>>(Incidents.Where(i => i.EndedAt is null).OrderBy(i => i.StartedAt).ToList());
    }

    public Task<IReadOnlyList<RecoveryIncident>> ListRecentAsync(int take, CancellationToken cancellationToken = default)
    {
        lock (gate)
            return Task.FromResult<IReadOnlyList<RecoveryIncident>>(Incidents.OrderByDescending(i => i.StartedAt).Take(take).ToList());
    }
}
