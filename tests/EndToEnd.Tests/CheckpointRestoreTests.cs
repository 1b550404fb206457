using System.Net;
using System.Text.Json;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.EndToEnd.Tests;

[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class CheckpointRestoreTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_killed_job_restored_from_its_checkpoint_continues_from_the_checkpointed_progress()
    {
        await using var host = await StandaloneHost.StartAsync();
        var api = host.Api;

        var job = await api.SubmitAsync(CounterJob.Spec("e2e checkpoint-restore"));
        var running = await api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running with progress");
        await api.WaitForJobAsync(job.JobId, j => j.Progress > running.Progress, Patience, "making progress");

        var sequence = await api.CheckpointAsync(job.JobId);
        var withCheckpoint = await api.WaitForJobAsync(job.JobId, j => j.Checkpoints.Any(c => c.Sequence == sequence), Patience, $"checkpoint {sequence} taken");
        var checkpoint = withCheckpoint.Checkpoints.Single(c => c.Sequence == sequence);
        Assert.NotNull(checkpoint.Progress);
        Assert.True(checkpoint.SizeBytes > 0, "a checkpoint image has bytes");

        // The job keeps running after a leave-running checkpoint, past the checkpointed progress.
        await api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > checkpoint.Progress, Patience, "running on after the checkpoint");

        await api.KillAsync(job.JobId);
        await api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Stopped, Patience, "stopped by the kill");

        var restore = await api.PostRestoreAsync(job.JobId, sequence);
        Assert.Equal(HttpStatusCode.Accepted, restore.StatusCode);
        var restored = await api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress >= checkpoint.Progress, Patience, "running again from the checkpoint");
        await api.WaitForJobAsync(job.JobId, j => j.Progress > restored.Progress, Patience, "making progress after the restore");

        var events = (await api.GetEventsAsync(job.JobId)).Reverse().ToList();
        AssertInOrder(events.Select(e => e.Type).ToList(),
            "JobSubmitted", "JobPlaced", "JobStarted", "CheckpointRequested", "CheckpointTaken",
            "KillRequested", "JobExited", "RestoreRequested", "JobRestored");
        Assert.Equal(Enumerable.Range(0, events.Count).Select(i => (long)i), events.Select(e => e.Version));

        // Not from zero: the first heartbeat after the restore already carries the checkpointed progress.
        var restoredAt = events.FindIndex(e => e.Type == "JobRestored");
        var firstBeat = events.Skip(restoredAt).First(e => e.Type == "HeartbeatRecorded" && ProgressOf(e) is not null);
        Assert.True(ProgressOf(firstBeat) >= checkpoint.Progress,
            $"first heartbeat after restore has progress {ProgressOf(firstBeat)}, below the checkpoint's {checkpoint.Progress}");

        await api.KillAsync(job.JobId);
    }

    internal static double? ProgressOf(TimelineEntry heartbeat)
    {
        using var doc = JsonDocument.Parse(heartbeat.Data);
        return doc.RootElement.GetProperty("sample").TryGetProperty("progress", out var p) && p.ValueKind == JsonValueKind.Number
            ? p.GetDouble() : null;
    }

    internal static void AssertInOrder(IReadOnlyList<string> actual, params string[] expected)
    {
        var at = 0;
        foreach (var type in actual)
            if (at < expected.Length && type == expected[at]) at++;
        Assert.True(at == expected.Length,
            $"expected the stream to hold, in this order: {string.Join(", ", expected)}; missing from '{(at < expected.Length ? expected[at] : "")}'. Stream: {string.Join(", ", actual.Where(t => t != "HeartbeatRecorded" && t != "ProgressReported"))}");
    }
}
