using Caas.Contracts.Policies;
using Caas.Monitoring.Grains.Policies;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class RecoveryPolicyEvaluatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly PolicyContext OnNode1 = new("node-1", "cloud-a", HasCheckpoint: true);

    private static PolicyDecision Decide(RecoveryPolicy policy, PolicyHistory history, PolicyTrigger trigger, double atSeconds, PolicyContext? context = null)
    {
        var decision = RecoveryPolicyEvaluator.Decide(policy, history, trigger, context ?? OnNode1, T0.AddSeconds(atSeconds));
        history.Record(decision);
        return decision;
    }

    [Fact]
    public void A_stall_under_the_default_policy_restarts_the_job_in_place_at_once()
    {
        var decision = Decide(new RecoveryPolicy(), new PolicyHistory(), PolicyTrigger.Stall, 0);

        Assert.Equal((RecoveryAction.RestartInPlace, 1, T0), (decision.Action, decision.Attempt, decision.NotBefore));
        Assert.Equal("stall: restart from the newest checkpoint, attempt 1 of 5 in 1 h", decision.Reason);
        Assert.Null(decision.Targets!.AvoidNodeId);
    }

    [Fact]
    public void Alert_only_responses_do_nothing_and_say_so()
    {
        var policy = new RecoveryPolicy { OnStall = StallResponse.AlertOnly };

        Assert.Equal((RecoveryAction.None, "stall: the policy says alert only"), Pick(Decide(policy, new PolicyHistory(), PolicyTrigger.Stall, 0)));
        Assert.Equal((RecoveryAction.None, "starvation: the policy says alert only"), Pick(Decide(policy, new PolicyHistory(), PolicyTrigger.Starvation, 0)));
        Assert.Equal((RecoveryAction.None, "failure: the policy says alert only"), Pick(Decide(policy, new PolicyHistory(), PolicyTrigger.Failure, 0)));
    }

    [Fact]
    public void Nothing_is_restored_without_a_checkpoint()
    {
        var decision = Decide(new RecoveryPolicy(), new PolicyHistory(), PolicyTrigger.Stall, 0, OnNode1 with { HasCheckpoint = false });

        Assert.Equal((RecoveryAction.None, "stall: no checkpoint to restore from"), Pick(decision));
    }

    [Fact]
    public void A_move_of_a_job_without_a_checkpoint_goes_ahead_when_the_job_can_be_checkpointed_now()
    {
        var runningNoCheckpoint = OnNode1 with { HasCheckpoint = false, CanCheckpointNow = true };
        var migrate = new RecoveryPolicy { OnStall = StallResponse.Migrate, OnStarvation = StarvationResponse.MigrateNode };

        Assert.Equal(RecoveryAction.MoveToOtherNode, Decide(migrate, new PolicyHistory(), PolicyTrigger.Stall, 0, runningNoCheckpoint).Action);
        Assert.Equal(RecoveryAction.MoveToOtherNode, Decide(migrate, new PolicyHistory(), PolicyTrigger.Starvation, 0, runningNoCheckpoint).Action);
        // A stopped process, or a checkpoint already under way: nothing to move from.
        Assert.Equal((RecoveryAction.None, "stall: no checkpoint to restore from"),
            Pick(Decide(migrate, new PolicyHistory(), PolicyTrigger.Stall, 0, runningNoCheckpoint with { CanCheckpointNow = false })));
        // A restart in place restores a checkpoint from before the incident, and a lost node's job cannot be checkpointed.
        Assert.Equal((RecoveryAction.None, "stall: no checkpoint to restore from"),
            Pick(Decide(new RecoveryPolicy(), new PolicyHistory(), PolicyTrigger.Stall, 0, runningNoCheckpoint)));
        Assert.Equal((RecoveryAction.None, "node lost: no checkpoint to restore from"),
            Pick(Decide(new RecoveryPolicy(), new PolicyHistory(), PolicyTrigger.NodeLost, 0, runningNoCheckpoint)));
    }

    [Fact]
    public void Starvation_moves_the_job_to_another_pool_with_the_policys_target_constraints()
    {
        var policy = new RecoveryPolicy { OnStarvation = StarvationResponse.MigratePool, AllowCrossPool = true, AllowedPools = ["cloud-a", "cloud-b"], PreferredPools = ["cloud-b"] };

        var decision = Decide(policy, new PolicyHistory(), PolicyTrigger.Starvation, 0);

        Assert.Equal(RecoveryAction.MoveToOtherPool, decision.Action);
        Assert.Equal("starvation: restore from the newest checkpoint in a pool other than 'cloud-a', attempt 1 of 5 in 1 h", decision.Reason);
        Assert.Equal(new RecoveryTargets { AvoidNodeId = "node-1", CurrentPool = "cloud-a", AllowCrossPool = true, RequireOtherPool = true },
            decision.Targets! with { AllowedPools = [], PreferredPools = [] });
        Assert.Equal(["cloud-a", "cloud-b"], decision.Targets!.AllowedPools);
        Assert.Equal(["cloud-b"], decision.Targets.PreferredPools);
    }

    [Fact]
    public void Moving_to_another_pool_is_refused_when_the_only_allowed_pool_is_the_current_one()
    {
        var policy = new RecoveryPolicy { OnStarvation = StarvationResponse.MigratePool, AllowCrossPool = true, AllowedPools = ["cloud-a"] };

        Assert.Equal((RecoveryAction.None, "starvation: no allowed pool other than 'cloud-a' to move to"), Pick(Decide(policy, new PolicyHistory(), PolicyTrigger.Starvation, 0)));
    }

    [Fact]
    public void A_lost_node_restores_the_job_elsewhere()
    {
        var decision = Decide(new RecoveryPolicy(), new PolicyHistory(), PolicyTrigger.NodeLost, 0);

        Assert.Equal((RecoveryAction.MoveToOtherNode, "node-1"), (decision.Action, decision.Targets!.AvoidNodeId));
        Assert.Equal("node lost: restore from the newest checkpoint on a node other than node-1, attempt 1 of 5 in 1 h", decision.Reason);
    }

    [Fact]
    public void Incidents_within_the_cooldown_only_alert()
    {
        var history = new PolicyHistory();
        var policy = new RecoveryPolicy { CooldownSeconds = 60 };
        Decide(policy, history, PolicyTrigger.Stall, 0);

        var again = Decide(policy, history, PolicyTrigger.Stall, 59);

        Assert.Equal((RecoveryAction.None, "stall: cooldown until 2026-03-01 12:01:00Z after the recovery at 2026-03-01 12:00:00Z"), Pick(again));
        Assert.Equal(RecoveryAction.RestartInPlace, Decide(policy, history, PolicyTrigger.Stall, 60).Action);
    }

    [Fact]
    public void The_backoff_before_each_further_attempt_doubles_up_to_its_cap()
    {
        var history = new PolicyHistory();
        var policy = new RecoveryPolicy { CooldownSeconds = 0, BackoffSeconds = 10, MaxBackoffSeconds = 30, MaxAttempts = 10 };

        var first = Decide(policy, history, PolicyTrigger.Stall, 0);
        var second = Decide(policy, history, PolicyTrigger.Stall, 1);
        var third = Decide(policy, history, PolicyTrigger.Stall, 12);
        var fourth = Decide(policy, history, PolicyTrigger.Stall, 31);
        var fifth = Decide(policy, history, PolicyTrigger.Stall, 100);

        Assert.Equal([0, 10, 30, 60, 100], new[] { first, second, third, fourth, fifth }.Select(d => (d.NotBefore - T0).TotalSeconds));
        Assert.Equal("stall: restart from the newest checkpoint, attempt 2 of 10 in 1 h, after a 10 s backoff (at 2026-03-01 12:00:10Z)", second.Reason);
    }

    [Fact]
    public void Attempts_are_exhausted_within_the_window_and_come_back_as_it_slides()
    {
        var history = new PolicyHistory();
        var policy = new RecoveryPolicy { CooldownSeconds = 0, BackoffSeconds = 0, MaxAttempts = 2, AttemptWindowSeconds = 600, OnStarvation = StarvationResponse.MigrateNode };
        Decide(policy, history, PolicyTrigger.Stall, 0);
        Decide(policy, history, PolicyTrigger.Starvation, 100);

        var exhausted = Decide(policy, history, PolicyTrigger.Stall, 200);

        Assert.Equal((RecoveryAction.None, "stall: attempts exhausted (2 of 2 in the last 10 min)"), Pick(exhausted));
        Assert.Equal((RecoveryAction.RestartInPlace, 2), (Decide(policy, history, PolicyTrigger.Stall, 601).Action, history.AttemptsSince(T0.AddSeconds(1))));
    }

    [Fact]
    public void Failures_are_restarted_up_to_their_own_limit()
    {
        var history = new PolicyHistory();
        var policy = new RecoveryPolicy { OnFailure = FailureResponse.Restart, MaxFailureRestarts = 2, CooldownSeconds = 0, BackoffSeconds = 0 };

        var decisions = new[] { 0, 10, 20 }.Select(s => Decide(policy, history, PolicyTrigger.Failure, s)).ToArray();

        Assert.Equal([RecoveryAction.RestartInPlace, RecoveryAction.RestartInPlace, RecoveryAction.None], decisions.Select(d => d.Action));
        Assert.Equal("failure: restart limit reached (2 of 2 failure restarts used)", decisions[2].Reason);
    }

    private static (RecoveryAction, string) Pick(PolicyDecision decision) => (decision.Action, decision.Reason);
}
