using Caas.Contracts.Jobs;

namespace Caas.EndToEnd.Tests;

[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class RestartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_restarted_platform_shows_the_same_jobs_and_history_and_can_still_restore()
    {
        string dataDirectory;
        string jobId;
        int sequence;
        List<string> historyBefore;
        double? checkpointProgress;
        await using (var first = await StandaloneHost.StartAsync())
        {
            dataDirectory = first.DataDirectory;
            var job = await first.Api.SubmitAsync(CounterJob.Spec("e2e restart"));
            jobId = job.JobId;
            await first.Api.WaitForJobAsync(jobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running");
            sequence = await first.Api.CheckpointAsync(jobId);
            var view = await first.Api.WaitForJobAsync(jobId, j => j.Checkpoints.Any(c => c.Sequence == sequence), Patience, "checkpointed");
            checkpointProgress = view.Checkpoints.Single(c => c.Sequence == sequence).Progress;
            await first.Api.KillAsync(jobId);
            await first.Api.WaitForJobAsync(jobId, j => j.Status == JobStatus.Stopped, Patience, "stopped");
            historyBefore = (await first.Api.GetEventsAsync(jobId)).Reverse().Select(e => $"{e.Version} {e.Type} {e.Data}").ToList();
            await first.StopAsync();
        }

        await using var second = await StandaloneHost.StartAsync(dataDirectory);
        var list = await second.Api.ListJobsAsync();
        Assert.Contains(list.Items, j => j.JobId == jobId && j.Status == JobStatus.Stopped);
        var again = await second.Api.GetJobAsync(jobId);
        Assert.Equal(JobStatus.Stopped, again.Status);
        Assert.Contains(again.Checkpoints, c => c.Sequence == sequence);
        var historyAfter = (await second.Api.GetEventsAsync(jobId)).Reverse().Select(e => $"{e.Version} {e.Type} {e.Data}").ToList();
        Assert.Equal(historyBefore, historyAfter.Take(historyBefore.Count));

        var restore = await second.Api.PostRestoreAsync(jobId, sequence);
        Assert.True(restore.IsSuccessStatusCode, await restore.Content.ReadAsStringAsync());
        await second.Api.WaitForJobAsync(jobId, j => j.Status == JobStatus.Running && j.Progress >= checkpointProgress, Patience, "restored after the restart");
        await second.Api.KillAsync(jobId);
    }
}
