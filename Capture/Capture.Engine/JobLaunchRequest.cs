namespace Caas.Capture.Engine;

/// <summary>What the engine needs to start a job: its state directory holds the engine's files (pid, exit, output).</summary>
public sealed record JobLaunchRequest
{
    public required string JobId { get; init; }
    public required string StateDirectory { get; init; }
    public required string Executable { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    /// <summary>Added to (and overriding) the engine process's own environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public required string WorkingDirectory { get; init; }
    /// <summary>The most memory the job's whole tree may use; beyond it the kernel's OOM killer ends it. No limit when null.</summary>
    public long? MemoryLimitBytes { get; init; }
    /// <summary>The network namespace (a path such as /run/netns/NAME) the job runs in, as a distributed job's rank does; the engine's own when null.</summary>
    public string? NetworkNamespace { get; init; }
}
