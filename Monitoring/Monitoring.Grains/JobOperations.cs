using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains;

/// <summary>What people ask of jobs, carried out by the job grains (which refuse with <see cref="OperationRejectedException"/>, changing nothing).</summary>
public sealed class JobOperations(IGrainFactory grains) : IJobOperations
{
    public Task<JobView> SubmitAsync(JobSpec spec, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return grains.GetGrain<IJobGrain>(JobIds.New()).Submit(spec);
    }

    public Task<int> CheckpointAsync(string jobId, bool leaveRunning = true, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Job(jobId).RequestCheckpoint(leaveRunning);
    }

    public Task KillAsync(string jobId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Job(jobId).RequestKill("killed on request");
    }

    public Task<Guid> RestoreAsync(string jobId, int? sequence = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Job(jobId).RequestRestore(sequence, "restore requested by a user");
    }

    public Task VerifyCheckpointAsync(string jobId, int sequence, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Job(jobId).RequestCheckpointVerification(sequence);
    }

    public Task DeleteCheckpointAsync(string jobId, int sequence, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Job(jobId).RequestCheckpointDeletion(sequence);
    }

    private IJobGrain Job(string jobId) => JobIds.IsValid(jobId)
        ? grains.GetGrain<IJobGrain>(jobId)
        : throw new OperationRejectedException(RejectionKind.NotFound, $"Job '{jobId}' does not exist.");
}
