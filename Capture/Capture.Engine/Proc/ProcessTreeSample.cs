namespace Caas.Capture.Engine.Proc;

/// <summary>One look at a job's process tree. Read/write bytes are rchar/wchar: all I/O through syscalls, pipes and page cache included, so that progress can be inferred from any I/O.</summary>
/// <param name="IoWaitSeconds">Block I/O wait of the tree; null while the kernel's delay accounting is off.</param>
/// <param name="CpuThrottledSeconds">Throttled time of the root's CPU cgroup; null when there is no such figure.</param>
public sealed record ProcessTreeSample(int RootPid, char State, double CpuSeconds, long RssBytes, long ReadBytes, long WriteBytes, int Threads, int Processes,
    long MajorFaults = 0, long SwapBytes = 0, double? IoWaitSeconds = null, double? CpuThrottledSeconds = null);
