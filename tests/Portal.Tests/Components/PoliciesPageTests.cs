using Caas.Contracts.Policies;
using Caas.Web.Portal.Components.Pages;
using Caas.Web.Portal.Security;

namespace Caas.Portal.Tests.Components;

[Trait("Category", "Component")]
public sealed class PoliciesPageTests : PortalTestContext
{
    private const string Job = "job-00000000aa";

    private static PolicyDryRunStep Step(long version, string type, RecoveryAction action, string reason) =>
        new(version, type, SampleJobs.Start.AddMinutes(version), new PolicyDecision { Trigger = PolicyTrigger.Stall, Action = action, Reason = reason, At = SampleJobs.Start.AddMinutes(version) });

    private IRenderedComponent<Policies> RenderForJob()
    {
        Policies.AddJob(Job, new RecoveryPolicy { MaxAttempts = 3 }, "pool:cloud-a");
        Platform.Jobs.Add(SampleJobs.Running(Job, "counter", 0.5, SampleJobs.Start));
        var cut = Render<Policies>();
        cut.Find("[data-testid=policy-job]").Change(Job);
        cut.Find("[data-testid=policy-job-form]").Submit();
        return cut;
    }

    [Fact]
    public void Shows_the_platform_and_pool_defaults()
    {
        Policies.Defaults = new PolicyDefaults(new RecoveryPolicy { OnFailure = FailureResponse.Restart },
            new Dictionary<string, RecoveryPolicy> { ["cloud-b"] = new() { OnStall = StallResponse.Migrate, Checkpoints = new CheckpointSchedule { Mode = CheckpointMode.Adaptive } } });

        var rows = Render<Policies>().FindAll("[data-testid=default-row]");

        Assert.Equal(["platform", "RestartFromCheckpoint", "AlertOnly", "RestoreElsewhere", "Restart", "5 in 3600 s", "Off"], rows[0].QuerySelectorAll("td").Select(td => td.TextContent.Trim()));
        Assert.Equal(["pool cloud-b", "Migrate", "Adaptive"], rows[1].QuerySelectorAll("td").Select(td => td.TextContent.Trim()).Where((_, i) => i is 0 or 1 or 6));
    }

    [Fact]
    public void Loads_a_jobs_policy_with_where_it_comes_from()
    {
        var cut = RenderForJob();

        Assert.Equal("In force now: from pool:cloud-a.", cut.Find("[data-testid=policy-source]").TextContent);
        Assert.Equal("3", cut.Find("[data-testid=field-maxAttempts]").GetAttribute("value"));
    }

    [Fact]
    public void An_unknown_job_says_so()
    {
        var cut = Render<Policies>();
        cut.Find("[data-testid=policy-job]").Change("job-00000000ff");
        cut.Find("[data-testid=policy-job-form]").Submit();

        Assert.Equal("No job has id 'job-00000000ff'.", cut.Find("[data-testid=load-problem]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=policy-editor]"));
    }

    [Fact]
    public void A_bad_value_is_named_next_to_its_field_and_nothing_is_sent()
    {
        var cut = RenderForJob();

        cut.Find("[data-testid=field-maxAttempts]").Change("0");
        cut.Find("[data-testid=field-onStarvation]").Change(nameof(StarvationResponse.MigratePool));

        Assert.Equal("'policy.maxAttempts' must be between 1 and 100.", cut.Find("[data-testid='problem-policy.maxAttempts']").TextContent);
        Assert.StartsWith("'policy.onStarvation' is MigratePool", cut.Find("[data-testid='problem-policy.onStarvation']").TextContent);
        cut.Find("[data-testid=save-policy]").Click();
        cut.Find("[data-testid=policy-editor]").Submit();
        Assert.Empty(Policies.SetCalls);
        Assert.Empty(Policies.DryRunCalls);
        Assert.Equal("Fix the policy first: its problems are shown next to their fields.", cut.Find("[data-testid=policy-action-problem]").TextContent);
    }

    [Fact]
    public void A_dry_run_replays_the_edited_policy_against_the_jobs_history_and_lists_each_decision()
    {
        Policies.Histories[Job] =
        [
            Step(5, "JobStalled", RecoveryAction.RestartInPlace, "stall: restart from the newest checkpoint, attempt 1 of 3 in 1 h"),
            Step(9, "JobStalled", RecoveryAction.None, "stall: cooldown until 2026-11-26 10:10:00Z after the recovery at 2026-11-26 10:05:00Z"),
        ];
        var cut = RenderForJob();
        cut.Find("[data-testid=field-cooldownSeconds]").Change("300");

        cut.Find("[data-testid=policy-editor]").Submit();

        var (jobId, policy) = Assert.Single(Policies.DryRunCalls);
        Assert.Equal((Job, 300.0, 3), (jobId, policy!.CooldownSeconds, policy.MaxAttempts));
        Assert.Equal("42 events replayed, 2 incidents, 1 recoveries; nothing was acted on.", cut.Find("[data-testid=dry-run-summary]").TextContent);
        Assert.Equal(["RestartInPlace", "None"], cut.FindAll("[data-testid=dry-run-action]").Select(td => td.TextContent));
        Assert.Equal("stall: cooldown until 2026-11-26 10:10:00Z after the recovery at 2026-11-26 10:05:00Z", cut.FindAll("[data-testid=dry-run-reason]")[1].TextContent);
        Assert.Empty(Policies.SetCalls);
    }

    [Fact]
    public void An_operator_saves_the_policy_as_the_jobs_own()
    {
        var cut = RenderForJob();
        cut.Find("[data-testid=field-onFailure]").Change(nameof(FailureResponse.Restart));
        cut.Find("[data-testid=field-checkpointMode]").Change(nameof(CheckpointMode.Fixed));
        cut.Find("[data-testid=field-intervalSeconds]").Change("120");

        cut.Find("[data-testid=save-policy]").Click();

        var (jobId, policy) = Assert.Single(Policies.SetCalls);
        Assert.Equal((Job, FailureResponse.Restart, CheckpointMode.Fixed, 120.0), (jobId, policy.OnFailure, policy.Checkpoints.Mode, policy.Checkpoints.IntervalSeconds));
        Assert.Equal("Saved: job-00000000aa is now under its own policy.", cut.Find("[data-testid=policy-notice]").TextContent);
        Assert.Equal("In force now: from job.", cut.Find("[data-testid=policy-source]").TextContent);
    }

    [Fact]
    public void A_viewer_may_dry_run_but_not_save()
    {
        LogInAs("vera", CaasRoles.Viewer);

        var cut = RenderForJob();

        Assert.Empty(cut.FindAll("[data-testid=save-policy]"));
        cut.Find("[data-testid=policy-editor]").Submit();
        Assert.Single(Policies.DryRunCalls);
    }
}
