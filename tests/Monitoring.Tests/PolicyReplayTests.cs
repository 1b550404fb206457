using Caas.Contracts.Events;
using Caas.Contracts.Policies;
using Caas.Monitoring.Grains.Policies;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class PolicyReplayTests
{
    private readonly JobEvents _job = new("job-00000000aa", new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>A week in a job's life: two stalls a minute apart, a restore, a starvation, a failure, and what live monitoring decided then.</summary>
    private IEnumerable<RecordedJobEvent> History()
    {
        var stall1 = Guid.NewGuid();
        IJobEvent[] events =
        [
            _job.Submitted(), _job.Placed(), _job.Started(1),
            _job.CheckpointRequested(10, 1), _job.CheckpointTaken(11, 1, 0.1),
            _job.Stalled(100, stall1, 40),
            // What the live policy (alert only) decided: the replay must ignore it and decide for itself.
            new RecoveryPolicyApplied(_job.JobId, stall1, new PolicyDecision { Trigger = PolicyTrigger.Stall, Action = RecoveryAction.None, Reason = "live", At = _job.At(100) }, _job.At(100)),
            _job.Progress(120, 0.2),
            _job.Stalled(150, Guid.NewGuid(), 120),
            new JobStarved(_job.JobId, Guid.NewGuid(), Contracts.Jobs.StarvationCause.Cpu, "throttled", 0.001, 0.01, TimeSpan.FromMinutes(5), _job.At(400)),
            _job.Exited(530, 3, null, "exit code 3"),
        ];
        return events.Select((e, i) => new RecordedJobEvent(i, e.GetType().Name, e));
    }

    [Fact]
    public void A_dry_run_lists_what_the_policy_would_have_done_at_each_incident_and_why()
    {
        var policy = new RecoveryPolicy { CooldownSeconds = 120, BackoffSeconds = 100, OnStarvation = StarvationResponse.MigrateNode, OnFailure = FailureResponse.Restart };

        var steps = PolicyReplay.Run(policy, History());

        Assert.Equal([5L, 8, 9, 10], steps.Select(s => s.Version));
        Assert.Equal(["JobStalled", "JobStalled", "JobStarved", "JobExited"], steps.Select(s => s.EventType));
        Assert.Equal(
        [
            "stall: restart from the newest checkpoint, attempt 1 of 5 in 1 h",
            "stall: cooldown until 2026-03-01 12:03:40Z after the recovery at 2026-03-01 12:01:40Z",
            "starvation: restore from the newest checkpoint on a node other than node-1, attempt 2 of 5 in 1 h",
            "failure: restart from the newest checkpoint, attempt 3 of 5 in 1 h, after a 3.3 min backoff (at 2026-03-01 12:10:00Z)",
        ], steps.Select(s => s.Decision.Reason));
    }

    [Fact]
    public void A_dry_run_of_an_alert_only_policy_does_nothing_and_a_kill_is_no_failure()
    {
        IJobEvent[] killed = [_job.Submitted(), _job.Placed(), _job.Started(1), _job.KillRequested(5), _job.Exited(6, null, 9, "killed on request")];

        Assert.Empty(PolicyReplay.Run(new RecoveryPolicy { OnFailure = FailureResponse.Restart }, killed.Select((e, i) => new RecordedJobEvent(i, "x", e))));
        var steps = PolicyReplay.Run(new RecoveryPolicy { OnStall = StallResponse.AlertOnly }, History());
        Assert.All(steps, s => Assert.Equal(RecoveryAction.None, s.Decision.Action));
    }
}
