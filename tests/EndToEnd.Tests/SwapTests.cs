using Caas.Contracts.Jobs;

namespace Caas.EndToEnd.Tests;

/// <summary>Swap-out and swap-in with the real platform, agent, CRIU and counter processes on a node with one job slot.</summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class SwapTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_high_priority_job_swaps_the_low_one_out_and_the_low_one_swaps_back_in_from_its_checkpoint_when_it_ends()
    {
        await using var host = await StandaloneHost.StartAsync(settings: new Dictionary<string, string> { ["Caas:Agent:JobSlots"] = "1" });
        var api = host.Api;

        var low = await api.SubmitAsync(CounterJob.Spec("e2e swap low"));
        var running = await api.WaitForJobAsync(low.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running with progress");
        await api.WaitForJobAsync(low.JobId, j => j.Progress > running.Progress, Patience, "making progress");

        // 200 counts at 50 a second: the high job ends by itself a few seconds after it starts.
        var high = await api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("counter"),
            args = new[] { "--target", "200", "--rate", "50" },
            name = "e2e swap high",
            priority = 5,
        });
        var swapped = await api.WaitForJobAsync(low.JobId, j => j.SwappedOut, Patience, "swapped out");
        Assert.Equal((JobStatus.Stopped, high.JobId), (swapped.Status, swapped.SwappedOutFor));
        Assert.Contains($"job {high.JobId} (priority 5) took its slot", swapped.StatusReason);
        var checkpoint = swapped.Checkpoints.Single(c => !c.LeaveRunning);
        Assert.NotNull(checkpoint.Progress);

        await api.WaitForJobAsync(high.JobId, j => j.Status == JobStatus.Completed, Patience, "run to completion in the low job's slot");

        var back = await api.WaitForJobAsync(low.JobId, j => j.Status == JobStatus.Running && !j.SwappedOut && j.Progress >= checkpoint.Progress, Patience, "swapped back in");
        await api.WaitForJobAsync(low.JobId, j => j.Progress > back.Progress, Patience, "making progress after the swap-in");

        var events = (await api.GetEventsAsync(low.JobId)).Reverse().ToList();
        CheckpointRestoreTests.AssertInOrder(events.Select(e => e.Type).ToList(),
            "JobStarted", "JobSwapOutRequested", "CheckpointRequested", "CheckpointTaken", "JobSwappedIn", "RestoreRequested", "JobRestored");
        // Continued, not restarted: the first heartbeat after the swap-in already has the checkpointed progress.
        var restoredAt = events.FindIndex(e => e.Type == "JobRestored");
        var firstBeat = events.Skip(restoredAt).First(e => e.Type == "HeartbeatRecorded" && CheckpointRestoreTests.ProgressOf(e) is not null);
        Assert.True(CheckpointRestoreTests.ProgressOf(firstBeat) >= checkpoint.Progress,
            $"first heartbeat after the swap-in has progress {CheckpointRestoreTests.ProgressOf(firstBeat)}, below the checkpoint's {checkpoint.Progress}");
        // Exactly one copy ran at a time: the high job started only after the low one's stop-mode checkpoint was taken.
        var highEvents = (await api.GetEventsAsync(high.JobId)).Reverse().ToList();
        var highStarted = highEvents.First(e => e.Type == "JobStarted").At;
        Assert.True(events.First(e => e.Type == "CheckpointTaken").At <= highStarted, "the high job started before the low one was checkpointed and stopped");

        await api.KillAsync(low.JobId);
    }
}
