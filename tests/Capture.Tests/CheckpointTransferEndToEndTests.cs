using Caas.Capture.Agent.Jobs;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Progress;
using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

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

    [Fact]
    public async Task A_stopping_checkpoint_after_incremental_ones_is_full_moves_alone_and_restores_on_the_other_node_with_every_page_right()
    {
        const string source = TransferAgents.SourceNode;
        const string target = TransferAgents.TargetNode;
        var jobs = Source.Services.GetRequiredService<NodeJobs>();
        var progress = Source.Services.GetRequiredService<ProgressChannel>();
        var jobId = JobIds.New();
        // memhog --verify checks its whole buffer before every round: a wrong page after the restore makes it exit 3.
        var job = await jobs.LaunchAsync(jobId, new JobSpec { Command = NativeBinaries.Memhog, Args = ["--mib", "64", "--dirty-fraction", "0.1", "--on-signal", "--verify"] }, CancellationToken.None);
        await Eventually.Get(() => File.Exists(Path.Combine(Source.Paths.JobDirectory(jobId), "stdout.log")) ? File.ReadAllText(Path.Combine(Source.Paths.JobDirectory(jobId), "stdout.log")) : "",
            o => o.Contains("allocated 64 MiB", StringComparison.Ordinal), LocalAgent.Patience, "memhog's buffer filled");
        async Task Round(int round)
        {
            Assert.True(Caas.Capture.Engine.Proc.Libc.Kill(job.Pid, 10), $"memhog PID {job.Pid} is gone");
            await Eventually.Get(() => progress.Get(jobId), p => p.Message == $"round {round}", LocalAgent.Patience, $"memhog's round {round}");
        }
        await Round(1);
        await jobs.CheckpointAsync(jobId, 1, leaveRunning: true, CancellationToken.None);
        await Round(2);
        var periodic = await jobs.CheckpointAsync(jobId, 2, leaveRunning: true, CancellationToken.None);
        await Round(3);

        var stopping = await jobs.CheckpointAsync(jobId, 3, leaveRunning: false, CancellationToken.None);

        Assert.Equal((1, (int?)null), (periodic.ParentSequence, stopping.ParentSequence));
        var transferId = Guid.NewGuid();
        await Agents.SendAsync(source, new TransferCheckpoint(jobId, 3, source, target, transferId));
        await Agents.PublishedAsync<CheckpointTransferred>(m => m.TransferId == transferId);
        Assert.Equal(["3"], Directory.GetDirectories(Path.Combine(Target.Paths.CheckpointsDirectory, jobId)).Select(Path.GetFileName));

        var incident = Guid.NewGuid();
        await Agents.SendAsync(target, new RestoreJob(jobId, target, incident, 3, source));
        var restored = await Agents.PublishedAsync<RestoreCompleted>(m => m.IncidentId == incident);
        Assert.True(Caas.Capture.Engine.Proc.Libc.Kill(restored.Pid, 10), $"the restored memhog (PID {restored.Pid}) is gone");
        var output = Path.Combine(Target.Paths.JobDirectory(jobId), "stdout.log");
        await Eventually.Get(() => File.Exists(output) ? File.ReadAllText(output) : "", o => o.Contains("round 4", StringComparison.Ordinal), LocalAgent.Patience,
            $"round 4 from the restored memhog on {target} (stderr: {ReadOrEmpty(Path.Combine(Target.Paths.JobDirectory(jobId), "stderr.log"))})");
        var running = Target.Services.GetRequiredService<NodeJobs>().RunningHandle(jobId);
        Assert.True(running is not null && Target.Services.GetRequiredService<ICheckpointEngine>().IsRunning(running), "the restored memhog runs on after checking its memory");
    }

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
}
