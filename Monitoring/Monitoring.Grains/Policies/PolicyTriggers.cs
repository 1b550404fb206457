using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;

namespace Caas.Monitoring.Grains.Policies;

/// <summary>Which recorded events are incidents a policy answers, and where the job stood then; shared by live monitoring and dry runs.</summary>
public static class PolicyTriggers
{
    /// <param name="after">The job's state with the event applied.</param>
    public static PolicyTrigger? Of(IJobEvent jobEvent, JobState after) => jobEvent switch
    {
        JobStalled => PolicyTrigger.Stall,
        JobStarved => PolicyTrigger.Starvation,
        JobNodeLost => PolicyTrigger.NodeLost,
        // A kill someone asked for ends the job as Stopped, not Failed: only a failure the job suffered counts.
        JobExited when after.Status == JobStatus.Failed => PolicyTrigger.Failure,
        _ => null,
    };

    /// <param name="nodePool">The pool of the job's node when known (live monitoring asks the node directory).</param>
    public static PolicyContext ContextOf(JobState state, string? nodePool = null) =>
        new(state.NodeId, PoolOf(state, nodePool), state.Checkpoints.Count > 0, CanCheckpointNow(state));

    /// <summary>
    /// Whether a stop-mode checkpoint of the job can be taken now: it runs on a node, no other checkpoint or swap-out is
    /// under way, and its process is not stopped (SIGSTOP, a tracer), whose image would come back stopped.
    /// </summary>
    public static bool CanCheckpointNow(JobState state) =>
        state.Status == JobStatus.Running && state.NodeId is not null
        && state.PendingCheckpoint is null && state.SwapOutSequence is null && !state.IsProcessStopped;

    /// <summary>The job's pool: the one its spec demands, else its node's, else the one its newest image was taken in.</summary>
    public static string? PoolOf(JobState state, string? nodePool = null) =>
        state.Spec?.Pool ?? nodePool ?? state.NewestCheckpoint?.Pool;
}
