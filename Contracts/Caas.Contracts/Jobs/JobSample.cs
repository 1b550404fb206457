namespace Caas.Contracts.Jobs;

/// <summary>One look at a running job, taken by its node agent from /proc and the job's progress channel.</summary>
[GenerateSerializer, Immutable]
public sealed record JobSample
{
    [Id(0)] public required string JobId { get; init; }
    /// <summary>Host PID of the job's root process.</summary>
    [Id(1)] public int Pid { get; init; }
    /// <summary>Kernel state letter of the root process (R, S, D, T, Z...).</summary>
    [Id(2)] public string State { get; init; } = "";
    /// <summary>User plus system CPU time of the whole job tree, in seconds.</summary>
    [Id(3)] public double CpuSeconds { get; init; }
    [Id(4)] public long RssBytes { get; init; }
    [Id(5)] public long ReadBytes { get; init; }
    [Id(6)] public long WriteBytes { get; init; }
    [Id(7)] public int Threads { get; init; }
    /// <summary>Last fraction (0..1) the job reported, null if it never reported progress.</summary>
    [Id(8)] public double? Progress { get; init; }
    [Id(9)] public string? ProgressMessage { get; init; }
    /// <summary>When the agent received the job's last progress report or libcaas heartbeat.</summary>
    [Id(10)] public DateTimeOffset? LastReportAt { get; init; }
    /// <summary>Major page faults of the whole job tree since it started: pages read back from disk or swap.</summary>
    [Id(11)] public long MajorFaults { get; init; }
    /// <summary>Swapped-out memory of the whole job tree.</summary>
    [Id(12)] public long SwapBytes { get; init; }
    /// <summary>Time the job's CPU cgroup was throttled by its quota, in seconds since the cgroup was made; null when the node cannot tell.</summary>
    [Id(13)] public double? CpuThrottledSeconds { get; init; }
    /// <summary>Time the job tree waited for block I/O, in seconds; null when the kernel does not account it (kernel.task_delayacct off).</summary>
    [Id(14)] public double? IoWaitSeconds { get; init; }
    /// <summary>The fencing epoch of the placement this copy runs under (LaunchJob/RestoreJob); 0 when the agent was not given one.</summary>
    [Id(140)] public long Epoch { get; init; }
}
