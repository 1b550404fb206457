using System.Text.Json.Serialization;
using Caas.Contracts.Policies;

namespace Caas.Web.Portal.Api;

/// <summary>
/// Body of POST /jobs. It mirrors <see cref="JobSpec"/> except that durations are plain numbers of seconds
/// (<c>stallThresholdSeconds</c>, <c>starvationWindowSeconds</c>), which every client can write. Unknown fields are refused so a typo
/// (e.g. <c>stallThreshold</c>) is an error rather than a silently ignored setting.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SubmitJobRequest
{
    // A bound that keeps TimeSpan arithmetic from overflowing; no real job waits ten years for progress.
    private const double MaxStallThresholdSeconds = 10 * 365 * 24 * 3600.0;
    // 1 PiB: beyond any machine, and far from overflowing when turned into bytes.
    private const long MaxMemoryLimitMiB = 1L << 30;

    public string? Command { get; init; }
    public IReadOnlyList<string>? Args { get; init; }
    public IReadOnlyDictionary<string, string>? Env { get; init; }
    public string? WorkingDirectory { get; init; }
    public string? Name { get; init; }
    public int Priority { get; init; }
    public string? Pool { get; init; }
    public double? StallThresholdSeconds { get; init; }
    public StallAction? OnStall { get; init; }
    /// <summary>0 turns starvation detection off.</summary>
    public double? StarvationWindowSeconds { get; init; }
    public double? StarvationRatio { get; init; }
    /// <summary>The job's memory limit in MiB; none when absent.</summary>
    public long? MemoryLimitMiB { get; init; }
    /// <summary>Labels the node must carry, e.g. {"gpu": "a100"}.</summary>
    public IReadOnlyDictionary<string, string>? NodeLabels { get; init; }
    /// <summary>The job's own recovery policy and checkpoint schedule (fields as in docs/policies.md); the pool's or platform's default when absent.</summary>
    public RecoveryPolicy? Policy { get; init; }
    /// <summary>The project the job belongs to; "default" when absent. The submitter must be in it.</summary>
    public string? Project { get; init; }
    /// <summary>A distributed job of this many ranks, one per node (docs/capture.md, "Distributed jobs"); an ordinary job when absent.</summary>
    public int? Ranks { get; init; }

    /// <summary>The spec this request asks for, or the problems that make it unacceptable.</summary>
    public (JobSpec? Spec, IReadOnlyList<string> Problems) ToSpec()
    {
        if (StallThresholdSeconds is > MaxStallThresholdSeconds or < 0)
            return (null, [$"'stallThresholdSeconds' must be between {JobDefaults.MinimumStallThreshold.TotalSeconds:0} and {MaxStallThresholdSeconds:0} seconds."]);
        if (StarvationWindowSeconds is > MaxStallThresholdSeconds or < 0)
            return (null, [$"'starvationWindowSeconds' must be 0 (off) or between {JobDefaults.MinimumStarvationWindow.TotalSeconds:0} and {MaxStallThresholdSeconds:0} seconds."]);
        if (MemoryLimitMiB is > MaxMemoryLimitMiB or < 0)
            return (null, [$"'memoryLimitMiB' must be between {JobDefaults.MinimumMemoryLimitBytes >> 20} and {MaxMemoryLimitMiB} MiB."]);
        var spec = new JobSpec
        {
            Command = Command ?? "",
            Args = Args ?? [],
            Env = Env ?? new Dictionary<string, string>(),
            WorkingDirectory = WorkingDirectory,
            Name = Name,
            Priority = Priority,
            Pool = Pool,
            StallThreshold = StallThresholdSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : JobDefaults.StallThreshold,
            OnStall = OnStall ?? StallAction.RestoreFromLastCheckpoint,
            StarvationWindow = StarvationWindowSeconds is { } window ? TimeSpan.FromSeconds(window) : JobDefaults.StarvationWindow,
            StarvationRatio = StarvationRatio ?? JobDefaults.StarvationRatio,
            MemoryLimitBytes = MemoryLimitMiB is { } mib ? mib << 20 : null,
            NodeLabels = NodeLabels ?? new Dictionary<string, string>(),
            Policy = Policy,
            Project = Project ?? JobProjects.Default,
            Ranks = Ranks,
        };
        var problems = JobSpecValidator.Validate(spec);
        return (problems.Count == 0 ? spec : null, problems);
    }
}
