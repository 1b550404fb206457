using Caas.Capture.Engine.Bundles;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Agent;

/// <summary>The agent's files under its data directory.</summary>
public sealed class AgentPaths(IOptions<AgentOptions> options)
{
    public string DataDirectory { get; } = options.Value.DataDirectory;
    public string JobsDirectory => Path.Combine(DataDirectory, "jobs");
    public string CheckpointsDirectory => Path.Combine(DataDirectory, "checkpoints");
    public string ProgressSocket => Path.Combine(DataDirectory, "progress.sock");

    /// <summary>The job's engine state directory (pid, exit, output) and the agent's record of it.</summary>
    public string JobDirectory(string jobId) => Path.Combine(JobsDirectory, jobId);
    public string ProgressFile(string jobId) => Path.Combine(JobDirectory(jobId), "progress");
    public string RestoreStaging(string jobId, int sequence) => Path.Combine(JobDirectory(jobId), $"restore-{sequence}");
    /// <summary>Where a checkpoint being fetched from another node is assembled: on the same file system as the checkpoints, so the finished bundle moves in with one rename.</summary>
    public string TransferStaging(string jobId, int sequence) => Path.Combine(DataDirectory, "transfers", $"{jobId}-{sequence}");
    public CheckpointBundle Checkpoint(string jobId, int sequence) => CheckpointBundle.For(CheckpointsDirectory, jobId, sequence);
}
