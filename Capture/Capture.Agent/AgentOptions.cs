using Caas.Contracts.Jobs;

namespace Caas.Capture.Agent;

/// <summary>The node agent's settings, bound from "Caas:Agent" (the engine's tool paths from "Caas:Agent:Capture").</summary>
public sealed class AgentOptions
{
    public const string Section = "Caas:Agent";
    public const string CaptureSection = "Caas:Agent:Capture";

    public string NodeId { get; set; } = "local";
    public string Pool { get; set; } = "default";
    public int JobSlots { get; set; } = 8;
    /// <summary>CPU cores offered to jobs; this machine's by default.</summary>
    public int Cores { get; set; } = Environment.ProcessorCount;
    /// <summary>Memory offered to jobs in bytes; this machine's (MemTotal) by default.</summary>
    public long MemoryBytes { get; set; } = MachineMemory.TotalBytes();
    /// <summary>What jobs may require of this node (e.g. Caas:Agent:Labels:gpu=a100); see <see cref="NodeLabelRules"/>.</summary>
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// Self-fencing: when set, an agent whose heartbeats have not reached the platform for this long kills its jobs, so a
    /// job the platform restores elsewhere never runs twice. Shorter than the node-lost timeout (<see cref="NodeLeaseRules"/>).
    /// Null (the default): jobs run on through any outage, and a partitioned node's copies are killed when it returns.
    /// A broker outage longer than the lease also ends the jobs: set it where partitions are likelier than broker restarts.
    /// </summary>
    public TimeSpan? Lease { get; set; }
    /// <summary>Holds jobs/&lt;jobId&gt;/ (state of each job, surviving agent restarts), checkpoints/ and progress.sock.</summary>
    public string DataDirectory { get; set; } = "/var/lib/caas/agent";
    /// <summary>The platform's image signing key (32 bytes, mode 0600); every agent that exchanges images needs the same one. Default: image.key next to the data directory.</summary>
    public string? ImageKeyFile { get; set; }
    /// <summary>
    /// This node's credential, from `caas nodes enroll NODE` (Caas__Agent__Credential in the environment keeps it out of
    /// process listings): sent with every report so the platform knows it is this node speaking. The standalone host
    /// enrolls its own agent and sets it.
    /// </summary>
    public string? Credential { get; set; }
    public RetentionOptions Retention { get; set; } = new();
    public ImageOptions Images { get; set; } = new();
    public Transfer.TransferOptions Transfer { get; set; } = new();

    /// <summary><see cref="ImageKeyFile"/>, or its default beside (not inside) the data directory, so wiping agent data keeps the key.</summary>
    public string ImageKeyPath => ImageKeyFile ?? Path.GetFullPath(Path.Combine(DataDirectory, "..", "image.key"));

    /// <returns>Problems, one sentence each; empty when the options are usable.</returns>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(NodeId) || !NodeId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            problems.Add($"{Section}:NodeId must be non-empty letters, digits, '-', '_' or '.' (it names a queue), not \"{NodeId}\".");
        if (string.IsNullOrWhiteSpace(Pool))
            problems.Add($"{Section}:Pool must not be empty.");
        if (!string.IsNullOrWhiteSpace(Pool) && !Pool.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            problems.Add($"{Section}:Pool must be letters, digits, '-', '_' or '.', not \"{Pool}\".");
        if (JobSlots < 1)
            problems.Add($"{Section}:JobSlots must be at least 1.");
        if (Cores < 1)
            problems.Add($"{Section}:Cores must be at least 1.");
        if (MemoryBytes < 1)
            problems.Add($"{Section}:MemoryBytes must be positive.");
        problems.AddRange(NodeLabelRules.Validate(Labels, $"{Section}:Labels"));
        if (HeartbeatInterval <= TimeSpan.Zero)
            problems.Add($"{Section}:HeartbeatInterval must be positive.");
        if (Lease is { } lease && HeartbeatInterval > TimeSpan.Zero && NodeLeaseRules.ProblemWith(lease, HeartbeatInterval) is { } leaseProblem)
            problems.Add($"{Section}:Lease: {leaseProblem}.");
        if (string.IsNullOrWhiteSpace(DataDirectory) || !Path.IsPathFullyQualified(DataDirectory))
            problems.Add($"{Section}:DataDirectory must be an absolute path.");
        if (ImageKeyFile is not null && (string.IsNullOrWhiteSpace(ImageKeyFile) || !Path.IsPathFullyQualified(ImageKeyFile)))
            problems.Add($"{Section}:ImageKeyFile must be an absolute path.");
        if (Retention.KeepLast < 1)
            problems.Add($"{Section}:Retention:KeepLast must be at least 1.");
        if (Retention.MaxBytesPerJob < 1)
            problems.Add($"{Section}:Retention:MaxBytesPerJob must be positive.");
        if (Images.MaxChainLength is < 1 or > Engine.Bundles.CheckpointChainRestorer.MaxChainLength)
            problems.Add($"{Section}:Images:MaxChainLength must be from 1 to {Engine.Bundles.CheckpointChainRestorer.MaxChainLength}.");
        // A placeholder (docker-compose.yml's first start of the servers, docs/operations.md) must not start an agent
        // whose every report would be refused; the value itself is a secret and is never echoed.
        if (!string.IsNullOrWhiteSpace(Credential) && !Credential.Trim().StartsWith(Contracts.Bus.AgentMessages.CredentialPrefix, StringComparison.Ordinal))
            problems.Add($"{Section}:Credential is not a credential from `caas nodes enroll {NodeId}` (those start with {Contracts.Bus.AgentMessages.CredentialPrefix}).");
        problems.AddRange(Transfer.Problems($"{Section}:Transfer"));
        return problems;
    }
}
