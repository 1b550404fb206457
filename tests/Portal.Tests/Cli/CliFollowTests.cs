using System.Diagnostics;
using Caas.Portal.Tests.Api;
using Caas.Web.Cli;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Cli;

/// <summary>caas-cli's --wait: it follows checkpoints and restores on the platform to their end, with a progress bar and exit codes scripts can act on.</summary>
[Trait("Category", "Integration")]
public sealed class CliFollowTests : IAsyncLifetime
{
    private const string JobId = "job-000000000a";
    private PortalApiHost host = null!;
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();

    private FakeJobPlatform Platform => host.Platform;

    public async Task InitializeAsync()
    {
        host = await PortalApiHost.StartAsync();
        Platform.Jobs.Add(SampleJobs.Running(JobId, "sim", 0.42, SampleJobs.Start) with { Checkpoints = [SampleJobs.Checkpoint(1, 0.2, SampleJobs.Start)] });
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private Task<int> Cli(params string[] args) =>
        CliApp.RunAsync(["--url", host.Client.BaseAddress!.ToString(), .. args], output, error, environmentUrl: null,
            new FakeTimeProvider(SampleJobs.Start.AddMinutes(1)), environmentToken: host.AdminToken, pollInterval: TimeSpan.FromMilliseconds(20));

    /// <summary>Plays the platform's part: once the call arrives, changes the job as the real one would.</summary>
    private static async Task WhenAsync(Func<bool> arrived, Action then)
    {
        var deadline = Stopwatch.StartNew();
        while (!arrived())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                throw new TimeoutException("the CLI never made the call");
            await Task.Delay(10);
        }
        then();
    }

    [Fact]
    public async Task Checkpoint_wait_shows_the_node_taking_the_image_then_reports_it_taken()
    {
        Platform.Update(JobId, j => j with { PendingCheckpoint = 2 });
        var cli = Cli("checkpoint", JobId, "--wait");
        await WhenAsync(() => Platform.CheckpointCalls.Count == 1 && error.ToString().Contains("taking the image"), () =>
            Platform.Update(JobId, j => j with { PendingCheckpoint = null, Checkpoints = [.. j.Checkpoints, SampleJobs.Checkpoint(2, 0.42, SampleJobs.Start.AddSeconds(50))] }));

        Assert.Equal(ExitCodes.Ok, await cli);
        Assert.Equal(
            $"Checkpoint 2 of {JobId} requested.\nCheckpoint 2 of {JobId} taken: 5.5 MiB in 0.41 s at 42%.\n", output.ToString());
        Assert.Equal(
            $"[############............]  50% checkpoint 2 of {JobId}: the node is taking the image\n[########################] 100% checkpoint 2 taken\n",
            error.ToString());
    }

    [Fact]
    public async Task Checkpoint_wait_exits_3_with_the_platforms_reason_when_the_checkpoint_fails()
    {
        Platform.Timelines[JobId] = [SampleJobs.Event(9, "CheckpointFailed", "checkpoint 2 failed: criu dump: Operation not permitted", SampleJobs.Start.AddSeconds(59))];

        // The fake takes no image: the checkpoint is neither pending nor taken, so it failed.
        Assert.Equal(ExitCodes.Failed, await Cli("checkpoint", JobId, "--wait"));

        Assert.Equal($"caas-cli: checkpoint 2 of {JobId} failed: checkpoint 2 failed: criu dump: Operation not permitted", error.ToString().Trim());
    }

    [Fact]
    public async Task Wait_exits_4_when_the_timeout_passes_and_says_the_operation_goes_on()
    {
        Platform.Update(JobId, j => j with { PendingCheckpoint = 2 });

        Assert.Equal(ExitCodes.TimedOut, await Cli("checkpoint", JobId, "--wait", "--timeout", "0.2"));

        Assert.EndsWith($"caas-cli: checkpoint 2 of {JobId} had not ended after 0 s; it goes on on the platform (see `caas show`).", error.ToString().Trim());
    }

    [Fact]
    public async Task A_bad_timeout_is_refused_before_anything_is_asked_of_the_platform()
    {
        Assert.Equal(ExitCodes.Refused, await Cli("checkpoint", JobId, "--wait", "--timeout", "-1"));

        Assert.Equal("caas-cli: --timeout must be between 0 and 86400 seconds; got -1.", error.ToString().Trim());
        Assert.Empty(Platform.CheckpointCalls);
    }

    [Fact]
    public async Task Checkpoints_verify_wait_waits_past_the_earlier_verdict_for_the_new_one_and_exits_0_when_verified()
    {
        var earlier = SampleJobs.CatalogEntry(JobId, SampleJobs.Checkpoint(1, 0.2, SampleJobs.Start), CheckpointVerification.Verified);
        Platform.Catalog.Add(earlier);
        var cli = Cli("checkpoints", "verify", JobId, "1", "--wait");
        // Were the earlier verdict taken for the new one, the CLI would end before it ever shows the test restore.
        await WhenAsync(() => Platform.VerifyCalls.Count == 1, () =>
            Platform.UpdateCatalog(JobId, 1, c => c with { Verification = CheckpointVerification.Verifying }));
        await WhenAsync(() => error.ToString().Contains("test restore of checkpoint 1 on node-a"), () =>
            Platform.UpdateCatalog(JobId, 1, c => c with { Verification = CheckpointVerification.Verified, VerifiedAt = SampleJobs.Start.AddMinutes(5) }));

        Assert.Equal(ExitCodes.Ok, await cli);
        Assert.Equal(
            $"Verification of checkpoint 1 of {JobId} requested.\nCheckpoint 1 of {JobId} verified: a test restore on node-a succeeded at 2026-11-26 10:05:00.\n",
            output.ToString());
        var steps = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[(ProgressLine.Width + 8)..]).Distinct().ToArray();
        Assert.Equal(["test restore of checkpoint 1 on node-a", "verified"], steps.Where(s => s != "verification of checkpoint 1 requested"));
    }

    [Fact]
    public async Task Checkpoints_verify_wait_exits_3_with_the_reason_when_the_test_restore_fails_and_json_prints_the_final_entry()
    {
        Platform.Catalog.Add(SampleJobs.CatalogEntry(JobId, SampleJobs.Checkpoint(1, 0.2, SampleJobs.Start)));
        var cli = Cli("checkpoints", "verify", JobId, "1", "--wait", "--json");
        await WhenAsync(() => Platform.VerifyCalls.Count == 1, () => Platform.UpdateCatalog(JobId, 1, c => c with
        {
            Verification = CheckpointVerification.Failed, VerifiedAt = SampleJobs.Start.AddMinutes(2), VerificationProblem = "criu restore: bad image",
        }));

        Assert.Equal(ExitCodes.Failed, await cli);
        using var entry = System.Text.Json.JsonDocument.Parse(output.ToString());
        Assert.Equal((JobId, 1, "Failed", "criu restore: bad image"), (entry.RootElement.GetProperty("jobId").GetString(), entry.RootElement.GetProperty("sequence").GetInt32(),
            entry.RootElement.GetProperty("verification").GetString(), entry.RootElement.GetProperty("verificationProblem").GetString()));
        Assert.EndsWith($"caas-cli: checkpoint 1 of {JobId} failed verification: criu restore: bad image", error.ToString().Trim());
    }

    [Fact]
    public async Task Checkpoints_verify_wait_exits_4_when_the_timeout_passes_and_a_checkpoint_deleted_meanwhile_is_a_failure()
    {
        Platform.Catalog.Add(SampleJobs.CatalogEntry(JobId, SampleJobs.Checkpoint(1, 0.2, SampleJobs.Start), CheckpointVerification.Verifying));

        Assert.Equal(ExitCodes.TimedOut, await Cli("checkpoints", "verify", JobId, "1", "--wait", "--timeout", "0.2"));
        Assert.EndsWith($"caas-cli: the verification of checkpoint 1 of {JobId} had not ended after 0 s; it goes on on the platform (see `caas show`).", error.ToString().Trim());

        var cli = Cli("checkpoints", "verify", JobId, "1", "--wait");
        await WhenAsync(() => Platform.VerifyCalls.Count == 2, () => Platform.UpdateCatalog(JobId, 1, c => c with
        {
            Removal = CheckpointRemoval.Retention, RemovedAt = SampleJobs.Start.AddMinutes(3), RemovalReason = "beyond the last 5 checkpoints",
        }));
        Assert.Equal(ExitCodes.Failed, await cli);
        Assert.EndsWith($"caas-cli: checkpoint 1 of {JobId} was deleted before its verification ended: beyond the last 5 checkpoints.", error.ToString().Trim());
    }

    [Fact]
    public async Task Checkpoints_verify_json_without_wait_and_a_bad_timeout_are_refused_before_anything_is_asked()
    {
        Platform.Catalog.Add(SampleJobs.CatalogEntry(JobId, SampleJobs.Checkpoint(1, 0.2, SampleJobs.Start)));

        Assert.Equal(ExitCodes.Refused, await Cli("checkpoints", "verify", JobId, "1", "--json"));
        Assert.Equal(ExitCodes.Refused, await Cli("checkpoints", "verify", JobId, "1", "--wait", "--timeout", "0"));

        Assert.Equal("caas-cli: --json prints the verification's verdict, so it needs --wait.\ncaas-cli: --timeout must be between 0 and 86400 seconds; got 0.",
            error.ToString().Trim().ReplaceLineEndings("\n"));
        Assert.Empty(Platform.VerifyCalls);
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task Restore_wait_follows_the_recovery_incident_through_its_steps_to_the_job_running_again()
    {
        var incident = new RecoveryIncident { IncidentId = FakeJobPlatform.RestoreIncident, JobId = JobId, State = "Restoring", Reason = "restore requested by a user", Sequence = 1, NodeId = "node-b", StartedAt = SampleJobs.Start };
        var cli = Cli("restore", JobId, "--sequence", "1", "--wait");
        await WhenAsync(() => Platform.RestoreCalls.Count == 1, () => Platform.Incidents.Add(incident));
        await WhenAsync(() => error.ToString().Contains("restoring from checkpoint 1"), () =>
            Platform.Incidents[0] = incident with { RestoredAt = SampleJobs.Start.AddSeconds(1), RestoredPid = 777 });
        await WhenAsync(() => error.ToString().Contains("pid 777"), () =>
            Platform.Incidents[0] = Platform.Incidents[0] with { VerifiedAt = SampleJobs.Start.AddSeconds(2), ResumedProgress = 0.2, EndedAt = SampleJobs.Start.AddSeconds(2), Succeeded = true, Outcome = "recovered" });

        Assert.Equal(ExitCodes.Ok, await cli);
        Assert.EndsWith($"{JobId} restored from checkpoint 1 on node-b and running again at 20%.\n", output.ToString());
        var steps = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[(ProgressLine.Width + 8)..]).Distinct().ToArray();
        Assert.Equal(["restoring from checkpoint 1 on node-b", "restored as pid 777; waiting for its first progress", "restored and running"], steps.Where(s => s != "restore requested"));
    }

    [Fact]
    public async Task Restore_wait_exits_3_with_the_outcome_when_recovery_gives_up()
    {
        var cli = Cli("restore", JobId, "--wait");
        await WhenAsync(() => Platform.RestoreCalls.Count == 1, () => Platform.Incidents.Add(new RecoveryIncident
        {
            IncidentId = FakeJobPlatform.RestoreIncident, JobId = JobId, State = "Failed", Reason = "restore requested by a user", Sequence = 1,
            StartedAt = SampleJobs.Start, EndedAt = SampleJobs.Start.AddSeconds(30), Succeeded = false, Outcome = "restore failed: bad signature",
        }));

        Assert.Equal(ExitCodes.Failed, await cli);
        Assert.EndsWith($"caas-cli: restore of {JobId} failed: restore failed: bad signature", error.ToString().Trim());
    }

    [Fact]
    public async Task Suspend_and_resume_reach_the_platform_and_resume_of_a_running_job_is_refused()
    {
        Assert.Equal(ExitCodes.Ok, await Cli("suspend", JobId));
        Assert.Equal([(JobId, false)], Platform.CheckpointCalls);
        Assert.Equal(ExitCodes.Refused, await Cli("resume", JobId));
        Assert.Contains("not suspended", error.ToString());

        Platform.Update(JobId, j => j with { Status = JobStatus.Stopped, Suspended = true, Checkpoints = [.. j.Checkpoints, SampleJobs.Checkpoint(2, 0.42, SampleJobs.Start) with { LeaveRunning = false }] });
        Assert.Equal(ExitCodes.Ok, await Cli("resume", JobId));

        Assert.Equal([(JobId, (int?)2)], Platform.RestoreCalls);
        Assert.Equal($"Suspending {JobId} to checkpoint 2.\nResuming {JobId} (incident {FakeJobPlatform.RestoreIncident}).\n", output.ToString());
    }

    [Fact]
    public async Task List_passes_search_filters_and_sort_to_the_platform()
    {
        Assert.Equal(ExitCodes.Ok, await Cli("list", "--search", "sim a", "--pool", "west", "--node", "node-a", "--sort", "progress", "--asc", "--status", "Running", "--json"));

        Assert.Equal(new JobListQuery { Take = 50, Status = JobStatus.Running, Text = "sim a", Pool = "west", NodeId = "node-a", Sort = JobSortField.Progress, Descending = false },
            Platform.Searches.Single());
    }

    [Fact]
    public async Task Migrate_wait_follows_the_job_from_its_checkpoint_to_running_on_the_target()
    {
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-b", Pool = "west" });
        Platform.Update(JobId, j => j with { PendingCheckpoint = 2 });
        var cli = Cli("migrate", JobId, "--node", "node-b", "--wait");
        await WhenAsync(() => Platform.MigrateCalls.Count == 1 && error.ToString().Contains("checkpoint 2 on node-a"), () =>
            Platform.Update(JobId, j => j with { Status = JobStatus.Restoring, PendingCheckpoint = null, Checkpoints = [.. j.Checkpoints, SampleJobs.Checkpoint(2, 0.42, SampleJobs.Start) with { LeaveRunning = false }] }));
        await WhenAsync(() => error.ToString().Contains("restoring on node-b"), () => Platform.Update(JobId, j => j with { Status = JobStatus.Running, NodeId = "node-b" }));

        Assert.Equal(ExitCodes.Ok, await cli);
        Assert.Equal($"Moving {JobId} from node-a to node-b through checkpoint 2.\n{JobId} runs on node-b at 42%.\n", output.ToString());
    }

    [Fact]
    public async Task Migrate_without_a_target_is_a_usage_error_and_asks_nothing()
    {
        Assert.Equal(ExitCodes.Refused, await Cli("migrate", JobId));

        Assert.Equal("caas-cli: migrate wants --node N or --pool P (one of them).", error.ToString().Trim());
        Assert.Empty(Platform.MigrateCalls);
    }
}
