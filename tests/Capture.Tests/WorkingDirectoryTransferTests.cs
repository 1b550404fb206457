using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;

namespace Caas.Capture.Tests;

/// <summary>
/// A job that holds a file open in its working directory (the agent's job directory) is checkpointed on node-b, moved to
/// node-c and restored there: the working directory travels in the signed bundle, so the restore finds the file.
/// </summary>
[Trait("Category", "EndToEnd")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class WorkingDirectoryTransferTests : TwoAgentTest
{
    private static IReadOnlyList<long> Ticks(string stdoutLog) => File.Exists(stdoutLog)
        ? [.. File.ReadAllLines(stdoutLog).Where(l => l.StartsWith("files tick ", StringComparison.Ordinal)).Select(l => long.Parse(l["files tick ".Length..], System.Globalization.CultureInfo.InvariantCulture))]
        : [];

    private string? RestoreOutcome(Guid incident) =>
        Agents.Harness.Published.Select<RestoreCompleted>(m => m.Context.Message.IncidentId == incident).Any() ? "completed"
        : Agents.Harness.Published.Select<RestoreRejected>(m => m.Context.Message.IncidentId == incident).Select(m => "refused: " + m.Context.Message.Reason).FirstOrDefault();

    [Fact]
    public async Task A_job_with_a_file_open_in_its_working_directory_restores_on_another_node_and_checks_it_intact()
    {
        const string source = TransferAgents.SourceNode;
        const string target = TransferAgents.TargetNode;
        var jobId = JobIds.New();
        await Agents.SendAsync(source, new LaunchJob(jobId, source, new JobSpec { Command = NativeBinaries.CaptureCases, Args = ["--case", "files", "--rate", "20"] }));
        var sourceOutput = Path.Combine(Agents.Source.Paths.JobDirectory(jobId), "stdout.log");
        await Eventually.Get(() => Ticks(sourceOutput), t => t.Count >= 3, TimeSpan.FromSeconds(20), "ticking on the source node");
        await Agents.SendAsync(source, new CheckpointJob(jobId, source, 1, LeaveRunning: false));
        await Agents.PublishedAsync<CheckpointCompleted>(m => m.JobId == jobId);
        var tickAtCheckpoint = Ticks(sourceOutput)[^1];

        var transferId = Guid.NewGuid();
        await Agents.SendAsync(source, new TransferCheckpoint(jobId, 1, source, target, transferId));
        await Agents.PublishedAsync<CheckpointTransferred>(m => m.TransferId == transferId);
        // Both nodes share this machine: remove the job's file where it ran, as if node-b were another machine (or gone).
        var sourceFile = Path.Combine(Agents.Source.Paths.JobDirectory(jobId), "capture_cases.data");
        var content = await File.ReadAllBytesAsync(sourceFile);
        File.Delete(sourceFile);

        var incident = Guid.NewGuid();
        await Agents.SendAsync(target, new RestoreJob(jobId, target, incident, 1, source));
        var outcome = await Eventually.Get(() => RestoreOutcome(incident), _ => true, TimeSpan.FromSeconds(60), "the restore's outcome");
        Assert.Equal("completed", outcome);
        Assert.Equal(content, await File.ReadAllBytesAsync(sourceFile));

        var targetOutput = Path.Combine(Agents.Target.Paths.JobDirectory(jobId), "stdout.log");
        var ticks = await Eventually.Get(() => Ticks(targetOutput), t => t.Count >= 5, TimeSpan.FromSeconds(20), $"ticking on node {target}");
        Assert.InRange(ticks[0], tickAtCheckpoint, tickAtCheckpoint + 1);
        Assert.Equal(Enumerable.Range((int)ticks[0], ticks.Count).Select(t => (long)t), ticks);
    }
}
