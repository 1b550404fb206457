using Caas.Contracts.Policies;

namespace Caas.Contracts.Jobs;

/// <summary>What a user asks the platform to run. Validated by <see cref="JobSpecValidator"/> before anything is recorded.</summary>
[GenerateSerializer, Immutable]
public sealed record JobSpec
{
    [Id(0)] public required string Command { get; init; }
    [Id(1)] public IReadOnlyList<string> Args { get; init; } = [];
    [Id(2)] public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    /// <summary>Directory the job starts in; the agent's job directory when null.</summary>
    [Id(3)] public string? WorkingDirectory { get; init; }
    /// <summary>A name for people; defaults to the command's file name.</summary>
    [Id(4)] public string? Name { get; init; }
    /// <summary>
    /// Higher runs first; 0 (the default) is normal, from <see cref="JobDefaults.MinimumPriority"/> to
    /// <see cref="JobDefaults.MaximumPriority"/>. In a full pool a job takes the slot of a running job of strictly lower
    /// priority, which is swapped out to storage and swapped back in when a slot frees (docs/policies.md, "Swap-out").
    /// </summary>
    [Id(5)] public int Priority { get; init; }
    /// <summary>Pool the job must run in; any pool when null.</summary>
    [Id(6)] public string? Pool { get; init; }
    /// <summary>No progress for this long and the job is stalled.</summary>
    [Id(7)] public TimeSpan StallThreshold { get; init; } = JobDefaults.StallThreshold;
    /// <summary>What the platform does when the job stalls.</summary>
    [Id(8)] public StallAction OnStall { get; init; } = StallAction.RestoreFromLastCheckpoint;
    /// <summary>
    /// How long the job's progress rate must stay far below its own learned baseline to be starved; also the span
    /// over which rates are measured. Zero turns starvation detection off (for jobs whose pace varies by design).
    /// </summary>
    [Id(20)] public TimeSpan StarvationWindow { get; init; } = JobDefaults.StarvationWindow;
    /// <summary>"Far below": starved when the rate over the window is under this fraction of the baseline.</summary>
    [Id(21)] public double StarvationRatio { get; init; } = JobDefaults.StarvationRatio;
    /// <summary>The most memory the job's whole process tree may use; the kernel ends it beyond that, and the platform says so. None when null.</summary>
    [Id(22)] public long? MemoryLimitBytes { get; init; }
    /// <summary>Labels the job's node must carry, each with exactly this value (e.g. "gpu" = "a100"); any node when empty.</summary>
    [Id(30)] public IReadOnlyDictionary<string, string> NodeLabels { get; init; } = new Dictionary<string, string>();
    /// <summary>
    /// The job's own recovery policy and checkpoint schedule; null takes the default of the job's pool, else the platform's.
    /// When null, <see cref="OnStall"/> = AlertOnly still turns the default's stall response to alert only.
    /// </summary>
    [Id(50)] public RecoveryPolicy? Policy { get; init; }
    /// <summary>The project the job belongs to: only members of it (and admins) see or touch the job.</summary>
    [Id(70)] public string Project { get; init; } = JobProjects.Default;
    /// <summary>
    /// A distributed job of this many ranks, each on a node of its own, in a network namespace carrying an address the
    /// platform gives it on the rank fabric; every rank runs <see cref="Command"/> with CAAS_RANK, CAAS_RANKS and
    /// CAAS_RANK_ADDRESSES (the host list an mpirun takes) in its environment. Null: an ordinary single-process job.
    /// </summary>
    [Id(180)] public int? Ranks { get; init; }
}

public enum StallAction
{
    /// <summary>Record the stall and alert, nothing more.</summary>
    AlertOnly = 0,
    /// <summary>Kill the hung process and restore the job from its newest checkpoint.</summary>
    RestoreFromLastCheckpoint = 1,
}

public static class JobDefaults
{
    public static readonly TimeSpan StallThreshold = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MinimumStallThreshold = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan StarvationWindow = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MinimumStarvationWindow = TimeSpan.FromSeconds(2);
    public const double StarvationRatio = 0.25;
    /// <summary>Below this a limit would stop most programs from even starting.</summary>
    public const long MinimumMemoryLimitBytes = 4L << 20;
    /// <summary>Priorities a user may give; the default is 0.</summary>
    public const int MinimumPriority = -1000;
    public const int MaximumPriority = 1000;
    /// <summary>The most ranks a distributed job may have.</summary>
    public const int MaximumRanks = 256;
}
