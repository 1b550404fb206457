using Caas.Capture.Engine.Proc;
using Caas.Contracts.Jobs;

namespace Caas.Capture.Agent.Jobs;

/// <summary>What a look at a process tree reports, the same for a job and for a rank of a distributed job.</summary>
public static class TreeSamples
{
    /// <returns>The tree's figures; progress and epoch are the caller's to add.</returns>
    public static JobSample Of(string jobId, ProcessTreeSample tree) => new()
    {
        JobId = jobId,
        Pid = tree.RootPid,
        State = tree.State.ToString(),
        CpuSeconds = tree.CpuSeconds,
        RssBytes = tree.RssBytes,
        ReadBytes = tree.ReadBytes,
        WriteBytes = tree.WriteBytes,
        Threads = tree.Threads,
        MajorFaults = tree.MajorFaults,
        SwapBytes = tree.SwapBytes,
        CpuThrottledSeconds = tree.CpuThrottledSeconds,
        IoWaitSeconds = tree.IoWaitSeconds,
    };
}
