using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.EndToEnd.Tests;

/// <summary>The checkpoint catalog on the real standalone platform: verify now (a real CRIU test restore next to the running job) and delete.</summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class CheckpointCatalogTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Verify_now_proves_a_checkpoint_without_disturbing_the_job_and_delete_keeps_the_newest_verified_one()
    {
        // Full checkpoints, so that the older one is nobody's parent: deleting a parent is refused like the newest verified one.
        await using var host = await StandaloneHost.StartAsync(settings: new Dictionary<string, string> { ["Caas:Agent:Images:Incremental"] = "false" });
        var api = host.Api;
        var job = await api.SubmitAsync(CounterJob.Spec("e2e catalog"));
        var running = await api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running with progress");
        var first = await TakeCheckpointAsync(api, job.JobId);
        await api.WaitForJobAsync(job.JobId, j => j.Progress > first.Progress, Patience, "moving on after checkpoint 1");
        var second = await TakeCheckpointAsync(api, job.JobId);
        var before = await api.WaitForJobAsync(job.JobId, j => j.Progress > second.Progress, Patience, "moving on after checkpoint 2");

        await VerifyAsync(api, job.JobId, first.Sequence);

        var verified = await WaitForEntryAsync(api, job.JobId, first.Sequence, e => e.Verification is CheckpointVerification.Verified or CheckpointVerification.Failed, "verification of checkpoint 1");
        Assert.True(verified.Verification == CheckpointVerification.Verified, $"checkpoint {first.Sequence} was not verified: {verified.VerificationProblem}");
        // The running job was left alone: same process, still moving, and its progress never went back to the copy's.
        var after = await api.WaitForJobAsync(job.JobId, j => j.Progress > before.Progress, Patience, "moving on after the test restore");
        Assert.Equal((JobStatus.Running, running.Pid), (after.Status, after.Pid));
        var events = (await api.GetEventsAsync(job.JobId)).Reverse().ToList();
        var progressSeen = events.SkipWhile(e => e.Type != "CheckpointVerificationRequested")
            .Where(e => e.Type == "HeartbeatRecorded").Select(CheckpointRestoreTests.ProgressOf).OfType<double>().ToList();
        Assert.True(progressSeen.Count > 0 && progressSeen.Zip(progressSeen.Skip(1)).All(p => p.Second >= p.First) && progressSeen[0] >= before.Progress,
            $"the job's progress went back during the test restore: {string.Join(", ", progressSeen)}");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(host.DataDirectory, "agent", "verify")));

        var refused = await DeleteAsync(api, job.JobId, first.Sequence);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("newest verified checkpoint", await refused.Content.ReadAsStringAsync());

        await VerifyAsync(api, job.JobId, second.Sequence);
        var secondVerified = await WaitForEntryAsync(api, job.JobId, second.Sequence, e => e.Verification is CheckpointVerification.Verified or CheckpointVerification.Failed, "verification of checkpoint 2");
        Assert.True(secondVerified.Verification == CheckpointVerification.Verified, $"checkpoint {second.Sequence} was not verified: {secondVerified.VerificationProblem}");
        Assert.Equal(HttpStatusCode.Conflict, (await DeleteAsync(api, job.JobId, second.Sequence)).StatusCode);

        var deleted = await DeleteAsync(api, job.JobId, first.Sequence);
        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        var gone = await WaitForEntryAsync(api, job.JobId, first.Sequence, e => !e.Exists, "checkpoint 1 shown deleted");
        Assert.Equal(CheckpointRemoval.Operator, gone.Removal);
        var bundles = Path.Combine(host.DataDirectory, "agent", "checkpoints", job.JobId);
        Assert.False(Directory.Exists(Path.Combine(bundles, first.Sequence.ToString())), "the deleted bundle is gone from the agent's directory");
        Assert.True(Directory.Exists(Path.Combine(bundles, second.Sequence.ToString())));
        Assert.Equal([second.Sequence], (await api.GetJobAsync(job.JobId)).Checkpoints.Select(c => c.Sequence));

        await api.KillAsync(job.JobId);
    }

    [Fact]
    public async Task An_incremental_checkpoint_is_verified_through_its_chain_and_its_parent_cannot_be_deleted()
    {
        await using var host = await StandaloneHost.StartAsync();
        var api = host.Api;
        var job = await api.SubmitAsync(CounterJob.Spec("e2e catalog chain"));
        await api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running with progress");
        var first = await TakeCheckpointAsync(api, job.JobId);
        await api.WaitForJobAsync(job.JobId, j => j.Progress > first.Progress, Patience, "moving on after checkpoint 1");
        var second = await TakeCheckpointAsync(api, job.JobId);
        Assert.Equal(first.Sequence, second.ParentSequence);

        await VerifyAsync(api, job.JobId, second.Sequence);
        var verified = await WaitForEntryAsync(api, job.JobId, second.Sequence, e => e.Verification is CheckpointVerification.Verified or CheckpointVerification.Failed, "verification of checkpoint 2");
        var parent = await DeleteAsync(api, job.JobId, first.Sequence);

        Assert.True(verified.Verification == CheckpointVerification.Verified, $"checkpoint {second.Sequence} was not verified: {verified.VerificationProblem}");
        Assert.Equal(HttpStatusCode.Conflict, parent.StatusCode);
        Assert.Contains($"is the parent of checkpoint {second.Sequence}", await parent.Content.ReadAsStringAsync());
        Assert.True(Directory.Exists(Path.Combine(host.DataDirectory, "agent", "checkpoints", job.JobId, first.Sequence.ToString())));

        await api.KillAsync(job.JobId);
    }

    private static async Task<CheckpointInfo> TakeCheckpointAsync(CaasApi api, string jobId)
    {
        var sequence = await api.CheckpointAsync(jobId);
        var view = await api.WaitForJobAsync(jobId, j => j.Checkpoints.Any(c => c.Sequence == sequence), Patience, $"checkpoint {sequence} taken");
        return view.Checkpoints.Single(c => c.Sequence == sequence);
    }

    private static async Task VerifyAsync(CaasApi api, string jobId, int sequence)
    {
        var response = await api.Http.PostAsync($"/api/v1/jobs/{jobId}/checkpoints/{sequence}/verify", null);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    private static Task<HttpResponseMessage> DeleteAsync(CaasApi api, string jobId, int sequence) =>
        api.Http.DeleteAsync($"/api/v1/jobs/{jobId}/checkpoints/{sequence}");

    private static async Task<CheckpointCatalogEntry> WaitForEntryAsync(CaasApi api, string jobId, int sequence, Func<CheckpointCatalogEntry, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        CheckpointCatalogEntry? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var page = await api.Http.GetFromJsonAsync<Page<CheckpointCatalogEntry>>($"/api/v1/jobs/{jobId}/checkpoints", CaasApi.Json);
            last = page!.Items.SingleOrDefault(e => e.Sequence == sequence);
            if (last is not null && condition(last))
                return last;
            await Task.Delay(200);
        }
        throw new TimeoutException($"{what} did not happen within {Patience.TotalSeconds:0} s; last catalog entry: {JsonSerializer.Serialize(last, CaasApi.Json)}");
    }
}
