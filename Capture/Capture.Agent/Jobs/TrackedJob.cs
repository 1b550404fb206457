using Caas.Capture.Engine;

namespace Caas.Capture.Agent.Jobs;

/// <summary>A job this agent believes is running, and how many heartbeats its root has been missing without an exit status.</summary>
public sealed class TrackedJob(JobHandle handle, DateTimeOffset startedAt, long epoch = 0)
{
    /// <summary>The fencing epoch of the placement that started this copy.</summary>
    public long Epoch { get; } = epoch;
    public JobHandle Handle { get; } = handle;
    public DateTimeOffset StartedAt { get; } = startedAt;
    public int MissingTicks { get; set; }
}
