using Caas.Web.Portal.Portal;
using Caas.Web.Portal.Security;
using Caas.Web.Portal.Components.Pages;

namespace Caas.Portal.Tests.Components;

[Trait("Category", "Component")]
public sealed class JobDetailsTests : PortalTestContext
{
    private const string JobId = "job-000000000a";

    public JobDetailsTests()
    {
        Platform.Jobs.Add(SampleJobs.Running(JobId, "simulation", 0.42, SampleJobs.Start) with
        {
            Checkpoints = [SampleJobs.Checkpoint(1, 0.1, SampleJobs.Start.AddSeconds(10)), SampleJobs.Checkpoint(2, 0.3, SampleJobs.Start.AddSeconds(40))],
        });
        Platform.Catalog.Add(SampleJobs.CatalogEntry(JobId, SampleJobs.Checkpoint(1, 0.1, SampleJobs.Start.AddSeconds(10)), CheckpointVerification.Verified));
        Platform.Catalog.Add(SampleJobs.CatalogEntry(JobId, SampleJobs.Checkpoint(2, 0.3, SampleJobs.Start.AddSeconds(40)) with { ParentSequence = 1 }));
        Platform.Timelines[JobId] =
        [
            SampleJobs.Event(0, "JobSubmitted", "submitted", SampleJobs.Start),
            SampleJobs.Event(1, "JobStarted", "started as pid 4242 on node-a", SampleJobs.Start.AddSeconds(1)),
            SampleJobs.Event(2, "CheckpointTaken", "checkpoint 1 taken: 5.5 MiB in 0.41 s", SampleJobs.Start.AddSeconds(10)),
        ];
    }

    private IRenderedComponent<JobDetails> RenderJob(string id = JobId) => Render<JobDetails>(p => p.Add(c => c.Id, id));

    [Fact]
    public void Shows_status_progress_facts_checkpoints_and_timeline()
    {
        var cut = RenderJob();

        Assert.Equal("Running", cut.Find("[data-testid=job-status]").TextContent);
        Assert.Equal("42%", cut.Find("[data-testid=job-progress]").TextContent);
        Assert.Equal("step 42 of 100", cut.Find("[data-testid=progress-message]").TextContent);
        Assert.Equal("node-a", cut.Find("[data-testid=job-node]").TextContent);
        Assert.Equal("4242", cut.Find("[data-testid=job-pid]").TextContent);
        Assert.Equal("12.5 s", cut.Find("[data-testid=job-cpu]").TextContent);
        Assert.Equal("3.0 MiB", cut.Find("[data-testid=job-memory]").TextContent);
        Assert.Equal("3 s ago", cut.Find("[data-testid=job-heartbeat]").TextContent);

        var checkpoints = cut.FindAll("[data-testid=checkpoint-row]");
        Assert.Equal(2, checkpoints.Count);
        Assert.Equal(["2", "#1", "20 s ago", "node-a", "30%", "5.5 MiB", "0.41 s", "0.12 s", "criu 4.2.1", "unverified"],
            checkpoints[0].QuerySelectorAll("td").Take(10).Select(td => td.TextContent));
        Assert.Equal(["1", "full", "verified 0 s ago"], checkpoints[1].QuerySelectorAll("td").Select(td => td.TextContent).Where((_, i) => i is 0 or 1 or 9));

        Assert.Equal(["CheckpointTaken", "JobStarted", "JobSubmitted"],
            cut.FindAll("[data-testid=timeline-type]").Select(e => e.TextContent));
        Assert.Contains("\"version\": 2", cut.Find("[data-testid=timeline-entry] pre").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=stalled-alert]"));
    }

    [Fact]
    public void The_interactive_render_starts_from_what_the_prerender_showed_instead_of_loading_again()
    {
        // The prerender: it reads everything, and what it showed is kept when it ends.
        var prerendered = RenderJob();
        Assert.Equal("simulation", prerendered.Find("h1").TextContent);
        PersistentState.TriggerOnPersisting();
        Assert.True(PersistentState.TryTake<JobPageState>(JobPageState.Key, out var kept));
        Assert.Equal((JobId, "step 42 of 100", 2, 3), (kept!.JobId, kept.Job!.ProgressMessage, kept.Checkpoints.Count, kept.Timeline!.Items.Count));

        // The interactive render, with the read side slow to answer: it shows the prerendered job at once, not "Loading job…".
        PersistentState.Persist(JobPageState.Key, kept);
        var slowReads = new TaskCompletionSource();
        Platform.JobReadsWaitFor = slowReads.Task;
        Platform.Update(JobId, j => j with { Progress = 0.5, ProgressMessage = "step 50 of 100" });
        var interactive = RenderJob();

        Assert.DoesNotContain("Loading job", interactive.Markup, StringComparison.Ordinal);
        Assert.Equal("simulation", interactive.Find("h1").TextContent);
        Assert.Equal("42%", interactive.Find("[data-testid=job-progress]").TextContent);
        Assert.Equal(2, interactive.FindAll("[data-testid=checkpoint-row]").Count);
        Assert.Equal(3, interactive.FindAll("[data-testid=timeline-type]").Count);

        // Then it refreshes in place, as every second after.
        slowReads.SetResult();
        interactive.WaitForAssertion(() => Assert.Equal("50%", interactive.Find("[data-testid=job-progress]").TextContent));
    }

    [Fact]
    public void Without_a_prerender_or_with_another_jobs_it_loads_the_job_itself()
    {
        PersistentState.Persist(JobPageState.Key, new JobPageState("job-00000000ff", null, null, [], new Page<AlertView>([], 0, 0, 10), [], [], [], []));
        var slowReads = new TaskCompletionSource();
        Platform.JobReadsWaitFor = slowReads.Task;

        var cut = RenderJob();

        Assert.Equal("Loading job…", cut.Find("p.muted").TextContent);
        slowReads.SetResult();
        cut.WaitForAssertion(() => Assert.Equal("42%", cut.Find("[data-testid=job-progress]").TextContent));
    }

    [Fact]
    public void Shows_the_jobs_recovery_incidents_newest_first_with_steps_and_outcome()
    {
        var stall = Guid.Parse("00000000-0000-4000-8000-000000000001");
        var manual = Guid.Parse("00000000-0000-4000-8000-000000000002");
        Platform.Incidents.Add(new RecoveryIncident
        {
            IncidentId = stall, JobId = JobId, State = "Recovered", Reason = "stalled on node-a: no progress since 12:00:05Z",
            Sequence = 2, NodeId = "node-a", StartedAt = SampleJobs.Start.AddSeconds(45), EndedAt = SampleJobs.Start.AddSeconds(46.5),
            Succeeded = true, Outcome = "restored from checkpoint 2, progress resumed at 30.0 %",
            Steps =
            [
                new RecoveryStep(SampleJobs.Start.AddSeconds(45), "restore requested", "checkpoint 2 on node-a"),
                new RecoveryStep(SampleJobs.Start.AddSeconds(46), "restored", "pid 5151"),
                new RecoveryStep(SampleJobs.Start.AddSeconds(46.5), "recovered", "restored from checkpoint 2, progress resumed at 30.0 %"),
            ],
        });
        Platform.Incidents.Add(new RecoveryIncident
        {
            IncidentId = manual, JobId = JobId, State = "Restoring", Reason = "restore requested by a user",
            Sequence = 1, NodeId = "node-a", StartedAt = SampleJobs.Start.AddSeconds(50),
            Steps = [new RecoveryStep(SampleJobs.Start.AddSeconds(50), "restore requested", "checkpoint 1 on node-a")],
        });
        Platform.Incidents.Add(new RecoveryIncident
        {
            IncidentId = Guid.NewGuid(), JobId = "job-00000000ff", State = "Failed", Reason = "another job's", StartedAt = SampleJobs.Start,
        });

        var cut = RenderJob();

        var incidents = cut.FindAll("[data-testid=incident]");
        Assert.Equal([manual.ToString(), stall.ToString()], incidents.Select(i => i.GetAttribute("data-incident-id")));
        Assert.Equal(["Restoring", "Recovered"], cut.FindAll("[data-testid=incident-state]").Select(e => e.TextContent));
        Assert.Equal("restored from checkpoint 2, progress resumed at 30.0 %", incidents[1].QuerySelector("[data-testid=incident-outcome]")!.TextContent);
        Assert.Equal("took 1.5 s", incidents[1].QuerySelector("[data-testid=incident-duration]")!.TextContent);
        Assert.Null(incidents[0].QuerySelector("[data-testid=incident-outcome]"));
        Assert.Equal(3, incidents[1].QuerySelectorAll("[data-testid=incident-step]").Length);
        Assert.Empty(cut.FindAll("[data-testid=no-incidents]"));
    }

    [Fact]
    public void Says_when_a_job_has_had_no_incident()
    {
        var cut = RenderJob();

        Assert.Empty(cut.FindAll("[data-testid=incident]"));
        Assert.Contains("No incident yet", cut.Find("[data-testid=no-incidents]").TextContent);
    }

    [Fact]
    public void Checkpoint_asks_for_a_checkpoint_that_leaves_the_job_running()
    {
        var cut = RenderJob();

        cut.Find("[data-testid=action-checkpoint]").Click();

        Assert.Equal([(JobId, true)], Platform.CheckpointCalls);
        Assert.Equal("Checkpoint 3 requested.", cut.Find("[data-testid=action-notice]").TextContent);
        Assert.Equal("status", cut.Find("[data-testid=action-notice]").GetAttribute("role"));
    }

    [Fact]
    public void Checkpoint_can_stop_the_job_after_the_image()
    {
        var cut = RenderJob();

        cut.Find("[data-testid=checkpoint-stop]").Change(true);
        cut.Find("[data-testid=action-checkpoint]").Click();

        Assert.Equal([(JobId, false)], Platform.CheckpointCalls);
    }

    [Fact]
    public void Kill_happens_only_after_confirmation()
    {
        var cut = RenderJob();

        cut.Find("[data-testid=action-kill]").Click();
        Assert.Empty(Platform.KillCalls);
        Assert.Contains("Kill simulation?", cut.Find("[data-testid=kill-confirmation]").TextContent);

        cut.Find("[data-testid=action-kill-cancel]").Click();
        Assert.Empty(Platform.KillCalls);
        Assert.Empty(cut.FindAll("[data-testid=kill-confirmation]"));

        cut.Find("[data-testid=action-kill]").Click();
        cut.Find("[data-testid=action-kill-confirm]").Click();
        Assert.Equal([JobId], Platform.KillCalls);
        Assert.Equal("Kill requested.", cut.Find("[data-testid=action-notice]").TextContent);
    }

    [Theory]
    [InlineData("action-kill", "kill-confirmation")]
    [InlineData("action-suspend", "suspend-confirmation")]
    [InlineData("action-restore", "restore-confirmation")]
    public void A_confirmation_takes_the_keyboard_to_its_safe_first_answer_and_Escape_gives_it_back(string action, string confirmation)
    {
        var cut = RenderJob();

        cut.Find($"[data-testid={action}]").Click();

        var answers = cut.FindAll($"[data-testid={confirmation}] button");
        Assert.Equal(["Cancel", $"{action}-confirm"], [answers[0].TextContent, answers[1].GetAttribute("data-testid")!]);
        Assert.Equal("Cancel", Accessibility.LastFocused(cut, JSInterop).TextContent);
        Assert.Equal($"{action}-cancel", Accessibility.LastFocused(cut, JSInterop).GetAttribute("data-testid"));
        Assert.StartsWith("Confirm: ", cut.Find($"[data-testid={confirmation}]").GetAttribute("aria-label"), StringComparison.Ordinal);

        cut.Find($"[data-testid={confirmation}]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Escape" });

        Assert.Empty(cut.FindAll($"[data-testid={confirmation}]"));
        Assert.Equal(action, Accessibility.LastFocused(cut, JSInterop).GetAttribute("data-testid"));
        Assert.Empty(Platform.KillCalls);
        Assert.Empty(Platform.RestoreCalls);
        Assert.Empty(Platform.CheckpointCalls);
    }

    [Fact]
    public void Restore_uses_the_newest_checkpoint_unless_another_is_chosen()
    {
        var cut = RenderJob();
        Assert.Equal("2", cut.Find("[data-testid=restore-sequence]").GetAttribute("value"));

        cut.Find("[data-testid=action-restore]").Click();
        Assert.Empty(Platform.RestoreCalls);
        cut.Find("[data-testid=action-restore-confirm]").Click();
        cut.Find("[data-testid=restore-sequence]").Change("1");
        cut.Find("[data-testid=action-restore]").Click();
        cut.Find("[data-testid=action-restore-confirm]").Click();

        Assert.Equal([(JobId, (int?)2), (JobId, (int?)1)], Platform.RestoreCalls);
        Assert.Equal($"Restore from checkpoint 1 started (incident {FakeJobPlatform.RestoreIncident}).",
            cut.Find("[data-testid=action-notice]").TextContent);
    }

    [Fact]
    public void A_rejected_action_shows_the_platform_s_reason()
    {
        Platform.RejectNext = new OperationRejectedException(RejectionKind.Conflict, "A checkpoint of this job is already in progress.");
        var cut = RenderJob();

        cut.Find("[data-testid=action-checkpoint]").Click();

        Assert.Equal("A checkpoint of this job is already in progress.", cut.Find("[data-testid=action-error]").TextContent);
        // Announced to a screen reader as it appears, wherever the focus is.
        Assert.Equal("alert", cut.Find("[data-testid=action-error]").GetAttribute("role"));
        Assert.Empty(cut.FindAll("[data-testid=action-notice]"));
    }

    [Fact]
    public void A_stalled_job_says_so()
    {
        Platform.Update(JobId, j => j with { Stalled = true, LastProgressAt = SampleJobs.Start.AddSeconds(20) });

        var cut = RenderJob();

        Assert.NotNull(cut.Find("[data-testid=job-stalled]"));
        Assert.StartsWith("Stalled: no progress since 40 s ago, longer than its threshold of 30 s.",
            cut.Find("[data-testid=stalled-alert]").TextContent.Trim());
    }

    [Fact]
    public void Follows_the_job_live()
    {
        var cut = RenderJob();

        Platform.Update(JobId, j => j with { Status = JobStatus.Completed, Progress = 1, ExitCode = 0 });
        Clock.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() => Assert.Equal("Completed", cut.Find("[data-testid=job-status]").TextContent));
        Assert.Equal("100%", cut.Find("[data-testid=job-progress]").TextContent);
        Assert.True(cut.Find("[data-testid=action-checkpoint]").HasAttribute("disabled"));
        Assert.True(cut.Find("[data-testid=action-kill]").HasAttribute("disabled"));
    }

    [Fact]
    public void An_unknown_job_gets_a_helpful_not_found_page()
    {
        var cut = RenderJob("job-00000000ff");

        Assert.Contains("The platform has no job with this id.", cut.Find("[data-testid=job-not-found]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=action-checkpoint]"));
    }

    [Fact]
    public void Charts_cpu_memory_and_progress_from_the_jobs_heartbeats_and_follow_new_ones_every_second()
    {
        Platform.Samples[JobId] =
        [
            new(SampleJobs.Start.AddSeconds(50), 10.0, 1 * 1024 * 1024, 0.40),
            new(SampleJobs.Start.AddSeconds(51), 10.5, 2 * 1024 * 1024, 0.41),
            new(SampleJobs.Start.AddSeconds(52), 11.5, 3 * 1024 * 1024, 0.42),
        ];
        var cut = RenderJob();

        Assert.Equal("100%", cut.Find("[data-testid=chart-cpu] [data-testid=chart-value]").TextContent);
        Assert.Equal("3.0 MiB", cut.Find("[data-testid=chart-memory] [data-testid=chart-value]").TextContent);
        Assert.Equal("42%", cut.Find("[data-testid=chart-progress] [data-testid=chart-value]").TextContent);
        Assert.Equal("last 2 s", cut.Find("[data-testid=chart-memory] [data-testid=chart-span]").TextContent);
        // Memory scales to its largest value: 1, 2 and 3 MiB rise evenly to the top across the width.
        Assert.Equal("0,53 150,27 300,1", cut.Find("[data-testid=chart-memory] [data-testid=chart-line]").GetAttribute("points"));
        // Progress has a fixed scale of 0..100 %.
        Assert.Equal("max 100%", cut.Find("[data-testid=chart-progress] [data-testid=chart-max]").TextContent);

        Platform.Samples[JobId].Add(new(SampleJobs.Start.AddSeconds(53), 11.75, 2 * 1024 * 1024, 0.55));
        Clock.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("25%", cut.Find("[data-testid=chart-cpu] [data-testid=chart-value]").TextContent);
            Assert.Equal("55%", cut.Find("[data-testid=chart-progress] [data-testid=chart-value]").TextContent);
            Assert.Equal("last 3 s", cut.Find("[data-testid=chart-memory] [data-testid=chart-span]").TextContent);
        });
    }

    [Fact]
    public void Before_the_first_heartbeats_the_charts_say_they_wait_for_them()
    {
        var cut = RenderJob();

        Assert.Equal(3, cut.FindAll("[data-testid=chart-empty]").Count);
        Assert.All(cut.FindAll("[data-testid=chart-value]"), v => Assert.Equal("–", v.TextContent));
    }

    [Fact]
    public void A_job_that_reports_no_progress_gets_a_progress_chart_that_says_how_to_report_it()
    {
        Platform.Samples[JobId] = [new(SampleJobs.Start.AddSeconds(50), 1, 1024, null), new(SampleJobs.Start.AddSeconds(51), 2, 1024, null), new(SampleJobs.Start.AddSeconds(52), 3, 1024, null)];

        var cut = RenderJob();

        Assert.Contains("CAAS_PROGRESS_FILE", cut.Find("[data-testid=chart-progress] [data-testid=chart-empty]").TextContent);
        Assert.Single(cut.FindAll("[data-testid=chart-cpu] [data-testid=chart-line]"));
    }

    [Fact]
    public void Suspend_asks_first_then_takes_a_checkpoint_that_stops_the_job()
    {
        var cut = RenderJob();

        cut.Find("[data-testid=action-suspend]").Click();
        Assert.Empty(Platform.CheckpointCalls);
        cut.Find("[data-testid=action-suspend-cancel]").Click();
        Assert.Empty(Platform.CheckpointCalls);

        cut.Find("[data-testid=action-suspend]").Click();
        cut.Find("[data-testid=action-suspend-confirm]").Click();

        Assert.Equal([(JobId, false)], Platform.CheckpointCalls);
        Assert.Equal("Suspending: checkpoint 3 is taken, then the job stops.", cut.Find("[data-testid=action-notice]").TextContent);
    }

    [Fact]
    public void A_swapped_out_job_shows_why_and_which_job_took_its_place()
    {
        const string reason = "swapped out to checkpoint 3: job job-00000000ff (priority 5) took its slot on node node-1; this job's priority is 0";
        Platform.Update(JobId, j => j with { Status = JobStatus.Stopped, SwappedOut = true, SwappedOutFor = "job-00000000ff", StatusReason = reason });

        var cut = RenderJob();

        Assert.Equal("Swapped out", cut.Find("[data-testid=job-status]").TextContent);
        var banner = cut.Find("[data-testid=swapped-out]").TextContent;
        Assert.Contains("Swapped out for job-00000000ff.", System.Text.RegularExpressions.Regex.Replace(banner, @"\s+", " "));
        Assert.Equal(reason + ".", cut.Find("[data-testid=swapped-out-reason]").TextContent);
        Assert.Equal("jobs/job-00000000ff", cut.Find("[data-testid=swapped-for]").GetAttribute("href"));
        Assert.Empty(cut.FindAll("[data-testid=action-resume]"));
    }

    [Fact]
    public void A_suspended_job_shows_as_suspended_and_resumes_from_the_checkpoint_that_stopped_it()
    {
        Platform.Update(JobId, j => j with
        {
            Status = JobStatus.Stopped,
            Suspended = true,
            Checkpoints = [.. j.Checkpoints, SampleJobs.Checkpoint(3, 0.42, SampleJobs.Start.AddSeconds(50)) with { LeaveRunning = false }],
        });
        var cut = RenderJob();
        Assert.Equal("Suspended", cut.Find("[data-testid=job-status]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=action-suspend]"));

        cut.Find("[data-testid=action-resume]").Click();

        Assert.Equal([(JobId, (int?)3)], Platform.RestoreCalls);
        Assert.Equal($"Resuming from checkpoint 3 (incident {FakeJobPlatform.RestoreIncident}).", cut.Find("[data-testid=action-notice]").TextContent);
    }

    [Fact]
    public void A_viewer_can_neither_suspend_nor_resume()
    {
        LogInAs("vera", CaasRoles.Viewer);

        var cut = RenderJob();

        Assert.Empty(cut.FindAll("[data-testid=action-suspend]"));
        Assert.Empty(cut.FindAll("[data-testid=action-resume]"));
    }

    [Fact]
    public void Migrate_offers_other_nodes_and_pools_asks_first_then_starts_the_move()
    {
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-a", Pool = "east", JobSlots = 4, RunningJobs = 1 });
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-b", Pool = "east", JobSlots = 4, RunningJobs = 2 });
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-c", Pool = "west", JobSlots = 2, RunningJobs = 0 });
        var cut = RenderJob();
        Assert.Equal(["", "pool:east", "node:node-b", "pool:west", "node:node-c"], cut.FindAll("[data-testid=migrate-target] option").Select(o => o.GetAttribute("value")));
        Assert.True(cut.Find("[data-testid=action-migrate]").HasAttribute("disabled"));

        cut.Find("[data-testid=migrate-target]").Change("node:node-b");
        cut.Find("[data-testid=action-migrate]").Click();
        Assert.Contains("Move simulation to node node-b?", cut.Find("[data-testid=migrate-confirmation]").TextContent);
        Assert.Empty(Platform.MigrateCalls);
        cut.Find("[data-testid=action-migrate-confirm]").Click();

        Assert.Equal([(JobId, (string?)"node-b", (string?)null)], Platform.MigrateCalls);
        Assert.Equal("Moving to node-b: checkpoint 3 is taken, then the image moves and the job is restored there.", cut.Find("[data-testid=action-notice]").TextContent);

        cut.Find("[data-testid=migrate-target]").Change("pool:west");
        cut.Find("[data-testid=action-migrate]").Click();
        cut.Find("[data-testid=action-migrate-confirm]").Click();
        Assert.Equal((JobId, (string?)null, (string?)"west"), Platform.MigrateCalls[^1]);
    }
}
