using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.Contracts.Grains;

/// <summary>
/// One event-sourced grain per job, keyed by job id. It decides (validates, places, detects stalls)
/// and records every fact about the job in the job's stream; agents and sagas act on its messages.
/// </summary>
public interface IJobGrain : IGrainWithStringKey
{
    Task<JobView> Submit(JobSpec spec);
    /// <returns>Null if the job was never submitted.</returns>
    Task<JobView?> GetView();

    Task<int> RequestCheckpoint(bool leaveRunning);
    Task RequestKill(string reason);
    Task<Guid> RequestRestore(int? sequence, string reason);
    /// <summary>Asks the agent holding checkpoint <paramref name="sequence"/> for a test restore of it.</summary>
    Task RequestCheckpointVerification(int sequence);
    /// <summary>Asks the agent holding checkpoint <paramref name="sequence"/> to delete it, unless the job still needs it.</summary>
    Task RequestCheckpointDeletion(int sequence);

    // Facts reported by the job's node agent and by recovery, fed in by bus consumers.
    Task RecordHeartbeat(string nodeId, JobSample sample, DateTimeOffset at);
    Task RecordLaunched(JobLaunched report);
    Task RecordLaunchRejected(LaunchRejected report);
    Task RecordCheckpointCompleted(CheckpointCompleted report);
    Task RecordCheckpointRejected(CheckpointRejected report);
    Task RecordRestoreCompleted(RestoreCompleted report);
    Task RecordRestoreRejected(RestoreRejected report);
    Task RecordExited(JobProcessExited report);
    Task RecordRecoveryEnded(RecoveryEnded report);
    Task RecordCheckpointVerificationEnded(CheckpointVerificationEnded report);
    Task RecordCheckpointsPruned(CheckpointsPruned report);
    /// <summary>A checkpoint of the job was copied to another node: recorded once per transfer, with the bytes it moved.</summary>
    Task RecordCheckpointTransferred(CheckpointTransferred report);
}
