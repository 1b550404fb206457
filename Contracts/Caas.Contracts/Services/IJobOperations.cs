using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.Contracts.Services;

/// <summary>
/// What people (portal, API, CLI) can ask of jobs. Every call either does what it says or throws
/// <see cref="OperationRejectedException"/> having changed nothing.
/// </summary>
public interface IJobOperations
{
    Task<JobView> SubmitAsync(JobSpec spec, CancellationToken cancellationToken = default);
    /// <returns>The sequence number the new checkpoint will have.</returns>
    Task<int> CheckpointAsync(string jobId, bool leaveRunning = true, CancellationToken cancellationToken = default);
    Task KillAsync(string jobId, CancellationToken cancellationToken = default);
    /// <summary>Restores from checkpoint <paramref name="sequence"/>, or the newest one when null.</summary>
    /// <returns>The id of the incident whose recovery saga carries out the restore.</returns>
    Task<Guid> RestoreAsync(string jobId, int? sequence = null, CancellationToken cancellationToken = default);
    /// <summary>Starts a test restore of the checkpoint on the node that holds it; the catalog shows the outcome.</summary>
    Task VerifyCheckpointAsync(string jobId, int sequence, CancellationToken cancellationToken = default);
    /// <summary>Has the checkpoint's bundle deleted; refused while the job still needs it (newest verified, parent of another).</summary>
    Task DeleteCheckpointAsync(string jobId, int sequence, CancellationToken cancellationToken = default);
}
