using System.Text.Json;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.EndToEnd.Tests;

[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class StallRecoveryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_hung_job_is_detected_as_stalled_in_time_and_restored_from_its_last_checkpoint()
    {
        await using var host = await StandaloneHost.StartAsync();
        var api = host.Api;

        var job = await api.SubmitAsync(CounterJob.Spec("e2e stall", stallThreshold: Threshold));
        await api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running with progress");
        var sequence = await api.CheckpointAsync(job.JobId);
        var withCheckpoint = await api.WaitForJobAsync(job.JobId, j => j.Checkpoints.Any(c => c.Sequence == sequence), Patience, "checkpointed");
        var checkpoint = withCheckpoint.Checkpoints.Single(c => c.Sequence == sequence);

        // SIGUSR1 makes counter hang: it keeps its process but neither counts nor reports.
        JobProcesses.Signal(withCheckpoint.Pid!.Value, JobProcesses.SIGUSR1);

        var recovered = await api.WaitForJobAsync(job.JobId,
            j => j.Status == JobStatus.Running && !j.Stalled && j.Progress >= checkpoint.Progress && j.Checkpoints.Count >= 1 && j.Pid != withCheckpoint.Pid,
            Patience, "restored after the stall");
        await api.WaitForJobAsync(job.JobId, j => j.Progress > recovered.Progress, Patience, "making progress after recovery");

        var events = (await api.GetEventsAsync(job.JobId)).Reverse().ToList();
        CheckpointRestoreTests.AssertInOrder(events.Select(e => e.Type).ToList(),
            "CheckpointTaken", "JobStalled", "RestoreRequested", "JobRestored");
        var stalled = events.First(e => e.Type == "JobStalled");
        using var doc = JsonDocument.Parse(stalled.Data);
        var lastProgressAt = doc.RootElement.GetProperty("lastProgressAt").GetDateTimeOffset();
        var delay = stalled.At - lastProgressAt;
        Assert.True(delay >= Threshold, $"stall raised after {delay}, before the threshold {Threshold}");
        Assert.True(delay <= Threshold + 2 * HeartbeatInterval, $"stall raised after {delay}, later than threshold + 2 heartbeat intervals");

        var restoreEvent = events.First(e => e.Type == "RestoreRequested");
        Assert.Contains($"\"sequence\":{sequence}", restoreEvent.Data.Replace(" ", ""));

        await api.WaitForAlertAsync(job.JobId, a => a.Kind == AlertKind.Stalled, TimeSpan.FromSeconds(30), "a stall alert");

        await api.KillAsync(job.JobId);
    }
}
