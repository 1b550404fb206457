using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;
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
    /// <summary>Restores from checkpoint <paramref name="sequence"/> on <paramref name="nodeId"/>, which must already hold it (a migration sent it there).</summary>
    Task<Guid> RequestRestoreOn(int sequence, string nodeId, string reason);
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

    // Recovery policies (issue 5).
    /// <summary>The policy the job is under and where it comes from (job, pool default, platform default).</summary>
    /// <exception cref="Services.OperationRejectedException">NotFound: the job was never submitted.</exception>
    Task<JobPolicyView> GetPolicy();
    /// <summary>Gives the job its own policy from now on (recorded); refused with the field-named problems when invalid.</summary>
    Task<JobPolicyView> SetPolicy(RecoveryPolicy policy);
    /// <summary>
    /// The job's node <paramref name="nodeId"/> was declared lost as of <paramref name="at"/>: recorded (JobNodeLost) and
    /// answered by the job's policy (restore elsewhere, or alert only). Ignored when the job is not running there.
    /// </summary>
    Task RecordNodeLost(string nodeId, DateTimeOffset at);
    // Node loss and recovery across nodes.
    /// <summary>The node directory declared <paramref name="nodeId"/> lost: if the job ran there, restore it elsewhere from the newest checkpoint held on another node, or fail it saying why. Idempotent.</summary>
    Task RecoverFromNodeLoss(string nodeId, DateTimeOffset lostAt);
    /// <summary>Chooses a node for recovery to bring the job back on, never one of <paramref name="excludedNodeIds"/>.</summary>
    Task<PlacementDecision> PlaceForRecovery(IReadOnlyCollection<string> excludedNodeIds);
    /// <summary>
    /// As <see cref="PlaceForRecovery(IReadOnlyCollection{string})"/>, within the pools the policy's <paramref name="targets"/>
    /// allow (the spec alone when null), and only on a node whose engine can restore checkpoint <paramref name="sequence"/>.
    /// </summary>
    Task<PlacementDecision> PlaceForRecovery(IReadOnlyCollection<string> excludedNodeIds, Policies.RecoveryTargets? targets, int? sequence);
    /// <summary>A checkpoint of the job was copied to another node (a replica, or an image moved for a restore): the target
    /// holds a copy from now on, and the bytes the move cost are recorded once per transfer.</summary>
    Task RecordCheckpointTransferred(CheckpointTransferred report);
}
