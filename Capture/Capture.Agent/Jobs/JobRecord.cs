namespace Caas.Capture.Agent.Jobs;

public enum JobRecordState
{
    Running = 0,
    /// <summary>The exit was reported on the bus.</summary>
    Ended = 1,
    /// <summary>Stopped by a checkpoint that did not leave it running; nothing more to report.</summary>
    Stopped = 2,
}

/// <summary>What the agent writes to jobs/&lt;jobId&gt;/agent.json so that a restarted agent finds its jobs again.</summary>
/// <param name="Epoch">The placement's fencing epoch, so a restarted agent still reports it (0: none was given).</param>
public sealed record JobRecord(string JobId, int Pid, ulong StartTicks, JobRecordState State, DateTimeOffset StartedAt, long Epoch = 0);
