namespace Caas.Web.Portal.Portal;

/// <summary>
/// Suspend to storage and resume, built on the platform's checkpoint and restore: suspending takes a checkpoint that
/// stops the job (its slot frees; the job shows as Suspended), resuming restores it from that checkpoint. Both refuse,
/// changing nothing, when the job is not in the state they need.
/// </summary>
public sealed class JobSuspension(IJobOperations operations, IJobQueries queries)
{
    /// <returns>The sequence of the checkpoint the job is suspended to.</returns>
    public Task<int> SuspendAsync(string jobId, CancellationToken cancellationToken = default) =>
        operations.CheckpointAsync(jobId, leaveRunning: false, cancellationToken);

    /// <returns>The incident whose recovery carries out the restore.</returns>
    public async Task<Guid> ResumeAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var job = await queries.GetJobAsync(jobId, cancellationToken)
            ?? throw new OperationRejectedException(RejectionKind.NotFound, $"No job has id '{jobId}'.");
        if (!job.Suspended)
            throw new OperationRejectedException(RejectionKind.Conflict,
                $"Job {jobId} is {job.Status}, not suspended: only a suspended job can be resumed (restore it from a checkpoint instead).");
        var sequence = SuspendedTo(job)
            ?? throw new OperationRejectedException(RejectionKind.Conflict, $"Job {jobId} no longer has the checkpoint it was suspended to; restore it from another one.");
        return await operations.RestoreAsync(jobId, sequence, cancellationToken);
    }

    /// <summary>The checkpoint a suspended job resumes from: its newest one that stopped it.</summary>
    public static int? SuspendedTo(JobView job) =>
        job.Checkpoints.Where(c => !c.LeaveRunning).Select(c => (int?)c.Sequence).Max();
}
