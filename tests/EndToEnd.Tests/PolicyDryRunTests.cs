using System.Net.Http.Json;
using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;
using Caas.Contracts.Views;

namespace Caas.EndToEnd.Tests;

/// <summary>
/// A policy's dry run over what really happened to a job: a real counter with a checkpoint hangs and is found stalled
/// under a policy that only alerts; replaying its recorded history, a policy that restarts from the checkpoint says it
/// would have, and the job's own says it did nothing, while the dry runs change nothing about the job.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class PolicyDryRunTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_dry_run_over_a_real_stall_lists_what_another_policy_would_have_done_and_changes_nothing()
    {
        await using var host = await StandaloneHost.StartAsync();
        var api = host.Api;
        var job = await api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("counter"), args = new[] { "--target", CounterJob.Target.ToString(), "--rate", "20" },
            name = "dry run", stallThresholdSeconds = 3, policy = new { onStall = "AlertOnly" },
        });
        await api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running with progress");
        var sequence = await api.CheckpointAsync(job.JobId);
        var checkpointed = await api.WaitForJobAsync(job.JobId, j => j.Checkpoints.Any(c => c.Sequence == sequence), Patience, "checkpointed");
        // SIGUSR1 makes counter hang: it keeps its process but neither counts nor reports.
        JobProcesses.Signal(checkpointed.Pid!.Value, JobProcesses.SIGUSR1);
        var stalled = await api.WaitForJobAsync(job.JobId, j => j.Stalled, Patience, "stalled");

        var wouldRestart = await DryRunAsync(api, job.JobId, new { onStall = "RestartFromCheckpoint" });
        var asItIs = await DryRunAsync(api, job.JobId, null);

        var restart = Assert.Single(wouldRestart.Steps, s => s.EventType == "JobStalled").Decision;
        Assert.Equal((PolicyTrigger.Stall, RecoveryAction.RestartInPlace, 1), (restart.Trigger, restart.Action, restart.Attempt));
        Assert.True(wouldRestart.EventsReplayed >= stalled.Version, $"replayed {wouldRestart.EventsReplayed} of {stalled.Version + 1} events");
        var none = Assert.Single(asItIs.Steps, s => s.EventType == "JobStalled").Decision;
        Assert.Equal(RecoveryAction.None, none.Action);
        Assert.Contains("alert only", none.Reason);
        // Nothing was done: the job is still the hung copy, stalled, with no restore in its history.
        var after = await api.GetJobAsync(job.JobId);
        Assert.Equal((true, checkpointed.Pid), (after.Stalled, after.Pid));
        Assert.DoesNotContain(await api.GetEventsAsync(job.JobId), e => e.Type is "RestoreRequested" or "JobRestored");

        await api.KillAsync(job.JobId);
    }

    private static async Task<PolicyDryRun> DryRunAsync(CaasApi api, string jobId, object? policy)
    {
        var response = await api.Http.PostAsJsonAsync($"/api/v1/jobs/{jobId}/policy/dry-run", policy, CaasApi.Json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<PolicyDryRun>(CaasApi.Json))!;
    }
}
