namespace Caas.Contracts.Jobs;

/// <summary>What took a starved job's pace, as far as the node's /proc and cgroup data tell.</summary>
public enum StarvationCause
{
    /// <summary>Slower with no resource pressure in sight: the job itself changed pace.</summary>
    Unknown = 0,
    /// <summary>Less CPU than it used to get: a cgroup quota throttles it, or other work competes for the cores.</summary>
    Cpu = 1,
    /// <summary>Memory pressure: major page faults or swapping.</summary>
    Memory = 2,
    /// <summary>Waiting for block I/O.</summary>
    Io = 3,
}
