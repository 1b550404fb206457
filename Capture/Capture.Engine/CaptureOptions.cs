namespace Caas.Capture.Engine;

/// <summary>Where the capture tools live. Bound from "Caas:Agent:Capture"; environment variables give the defaults so a developer's shell and CI need no config file.</summary>
public sealed class CaptureOptions
{
    public const string DefaultCriuPath = "/opt/caas/criu/bin/criu";

    /// <summary>The caas-shim binary that launches, dumps and restores jobs; from env CAAS_SHIM when not configured.</summary>
    public string ShimPath { get; set; } = Environment.GetEnvironmentVariable("CAAS_SHIM") ?? "";

    /// <summary>The CRIU binary (or wrapper); from env CAAS_CRIU, else the project's private install.</summary>
    public string CriuPath { get; set; } = Environment.GetEnvironmentVariable("CAAS_CRIU") is { Length: > 0 } criu ? criu : DefaultCriuPath;

    /// <summary>Where jobs with a memory limit get their cgroup (cgroup v1 memory hierarchy); one directory per job below it.</summary>
    public string MemoryCgroupRoot { get; set; } = "/sys/fs/cgroup/memory/caas";

    /// <summary>The lock file that lets one CRIU dump or restore run at a time on this host (see HostCriuLock); every agent on a host must use the same one.</summary>
    public string CriuLockPath { get; set; } = "/run/lock/caas-criu.lock";

    /// <summary>Longest a single shim or CRIU call may take before it is abandoned.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
