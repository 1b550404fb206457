using System.Text.Json;
using Caas.Contracts.Jobs;

namespace Caas.EndToEnd.Tests;

[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class FallbackRestoreTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_corrupted_newest_checkpoint_is_refused_and_the_restore_falls_back_to_the_previous_one_and_says_so()
    {
        await using var host = await StandaloneHost.StartAsync();
        var api = host.Api;
        var job = await api.SubmitAsync(CounterJob.Spec("e2e fallback"));
        await api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running");

        var first = await api.CheckpointAsync(job.JobId);
        var withFirst = await api.WaitForJobAsync(job.JobId, j => j.Checkpoints.Any(c => c.Sequence == first), Patience, "checkpoint 1");
        var firstProgress = withFirst.Checkpoints.Single(c => c.Sequence == first).Progress;
        await api.WaitForJobAsync(job.JobId, j => j.Progress > firstProgress, Patience, "past checkpoint 1");
        var second = await api.CheckpointAsync(job.JobId);
        await api.WaitForJobAsync(job.JobId, j => j.Checkpoints.Any(c => c.Sequence == second), Patience, "checkpoint 2");
        await api.KillAsync(job.JobId);
        await api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Stopped, Patience, "stopped");

        // One flipped byte in the newest image: the agent must refuse it before CRIU sees it.
        var images = Path.Combine(host.DataDirectory, "agent", "checkpoints", job.JobId, second.ToString(), "images");
        // Checkpoint 2 is incremental on 1: its page image is stored as pages-N.img.delta (see docs/capture.md, image format).
        var pages = Directory.GetFiles(images, "pages-*.img*").First();
        await using (var stream = new FileStream(pages, FileMode.Open, FileAccess.ReadWrite))
        {
            var b = stream.ReadByte();
            stream.Position = 0;
            stream.WriteByte((byte)(b ^ 0xff));
        }

        var restore = await api.PostRestoreAsync(job.JobId, sequence: null);
        Assert.True(restore.IsSuccessStatusCode, await restore.Content.ReadAsStringAsync());
        var restored = await api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress >= firstProgress, Patience, "running from checkpoint 1");
        await api.WaitForJobAsync(job.JobId, j => j.Progress > restored.Progress, Patience, "making progress");

        // The saga's end is recorded after the job already runs again: wait for it before reading the stream.
        var finished = await WaitForEventAsync(api, job.JobId, "RecoveryFinished");
        var events = (await api.GetEventsAsync(job.JobId)).Reverse().ToList();
        CheckpointRestoreTests.AssertInOrder(events.Select(e => e.Type).ToList(), "RestoreRequested", "RestoreFailed", "JobRestored", "RecoveryFinished");
        var failed = events.Last(e => e.Type == "RestoreFailed");
        Assert.Contains($"checkpoint {second}", failed.Summary);
        Assert.Contains("does not match its SHA-256", failed.Data);
        var back = events.Last(e => e.Type == "JobRestored");
        Assert.Equal(first, JsonDocument.Parse(back.Data).RootElement.GetProperty("sequence").GetInt32());
        using var outcome = JsonDocument.Parse(finished.Data);
        Assert.True(outcome.RootElement.GetProperty("succeeded").GetBoolean());
        Assert.Contains($"restored from checkpoint {first}", outcome.RootElement.GetProperty("outcome").GetString());
        Assert.Contains($"checkpoint {second} was refused", outcome.RootElement.GetProperty("outcome").GetString());

        await api.KillAsync(job.JobId);
    }

    private static async Task<Caas.Contracts.Views.TimelineEntry> WaitForEventAsync(CaasApi api, string jobId, string type)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var found = (await api.GetEventsAsync(jobId)).FirstOrDefault(e => e.Type == type);
            if (found is not null) return found;
            await Task.Delay(200);
        }
        throw new TimeoutException($"no {type} in job {jobId}'s stream within {Patience.TotalSeconds:0} s");
    }
}
