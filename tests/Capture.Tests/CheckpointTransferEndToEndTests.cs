using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using MassTransit;

namespace Caas.Capture.Tests;

/// <summary>A real CRIU checkpoint of the counter taken on node-b, moved to node-c over HTTP, and the job continuing there from it.</summary>
[Trait("Category", "EndToEnd")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CheckpointTransferEndToEndTests : TwoAgentTest
{

    private static IReadOnlyList<long> Counts(string stdoutLog) => File.Exists(stdoutLog)
        ? [.. File.ReadAllLines(stdoutLog).Where(l => l.StartsWith("count ", StringComparison.Ordinal)).Select(l => long.Parse(l["count ".Length..], System.Globalization.CultureInfo.InvariantCulture))]
        : [];

    [Fact]
    public async Task A_checkpoint_moved_to_another_node_restores_there_and_the_job_continues_from_it()
    {
        const string source = TransferAgents.SourceNode;
        const string target = TransferAgents.TargetNode;
        var jobId = JobIds.New();
        await Agents.SendAsync(source, new LaunchJob(jobId, source, new JobSpec { Command = NativeBinaries.Counter, Args = ["--target", "1000000", "--rate", "50"] }));
        await Agents.PublishedAsync<NodeHeartbeat>(m => m.Node.NodeId == source && m.Samples.Any(s => s.JobId == jobId && s.Progress > 0));
        await Agents.SendAsync(source, new CheckpointJob(jobId, source, 1, LeaveRunning: false));
        var checkpoint = (await Agents.PublishedAsync<CheckpointCompleted>(m => m.JobId == jobId)).Checkpoint;

        var transferId = Guid.NewGuid();
        await Agents.SendAsync(source, new TransferCheckpoint(jobId, 1, source, target, transferId));
        var moved = await Agents.PublishedAsync<CheckpointTransferred>(m => m.TransferId == transferId);
        Assert.True(moved.BytesMoved > checkpoint.SizeBytes, $"{moved.BytesMoved} bytes moved for a {checkpoint.SizeBytes}-byte image and its manifest");

        var incident = Guid.NewGuid();
        await Agents.SendAsync(target, new RestoreJob(jobId, target, incident, 1, source));
        var restored = await Agents.PublishedAsync<RestoreCompleted>(m => m.IncidentId == incident);
        Assert.Equal((jobId, target, 1), (restored.JobId, restored.NodeId, restored.Sequence));

        var beat = await Agents.PublishedAsync<NodeHeartbeat>(m => m.Node.NodeId == target && m.At > restored.At && m.Samples.Any(s => s.JobId == jobId));
        Assert.Equal(restored.Pid, beat.Samples.Single(s => s.JobId == jobId).Pid);
        // The counter's own output on node-c, not its progress reports: those go to the progress socket path
        // in the image's environment, which is node-b's data directory when both nodes share one machine.
        var output = Path.Combine(Agents.Target.Paths.JobDirectory(jobId), "stdout.log");
        var counts = await Eventually.Get(() => Counts(output), c => c.Count >= 3, TimeSpan.FromSeconds(10), $"counting on node {target}");
        var countAtCheckpoint = (long)Math.Round(checkpoint.Progress!.Value * 1_000_000);
        Assert.True(counts[0] > countAtCheckpoint && counts[0] <= countAtCheckpoint + 5, $"the restored job went on from count {counts[0]}; its checkpoint was taken at {countAtCheckpoint}");
        Assert.Equal(Enumerable.Range((int)counts[0], counts.Count).Select(c => (long)c), counts);
    }
}
