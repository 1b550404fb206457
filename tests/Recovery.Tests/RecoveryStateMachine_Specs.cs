using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Recovery.Sagas;
using MassTransit;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Recovery.Tests;

[Trait("Category", "Unit")]
public sealed class RecoveryStateMachine_Specs : IAsyncLifetime
{
    private readonly TempDatabase _database = new();
    private readonly FakeTimeProvider _clock = new(RecoveryHarness.Start);
    private readonly Guid _incident = Guid.NewGuid();
    private readonly string _job = JobIds.New();
    private RecoveryHarness _bus = null!;

    public async Task InitializeAsync() => _bus = await RecoveryHarness.StartAsync(_database.Path, _clock);

    public async Task DisposeAsync()
    {
        await _bus.DisposeAsync();
        _database.Dispose();
    }

    private RecoveryRequested Request(int sequence = 3) =>
        new(_incident, _job, "node-a", sequence, 0.4, "user asked", _clock.GetUtcNow());

    private async Task DriveToVerifyingAsync()
    {
        await _bus.Publish(Request());
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));
        _clock.Advance(TimeSpan.FromSeconds(5));
        await _bus.Publish(new RestoreCompleted(_job, "node-a", _incident, 3, 4242, _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Verifying));
    }

    [Fact]
    public async Task Recovery_requested_sends_RestoreJob_to_the_agent_queue_of_the_node_holding_the_checkpoint()
    {
        await _bus.Publish(Request(sequence: 3));

        await _bus.SentAsync<RestoreJob>();
        var sent = Assert.Single(_bus.Harness.Sent.Select<RestoreJob>());
        Assert.Equal(new RestoreJob(_job, "node-a", _incident, 3, "node-a"), sent.Context.Message);
        Assert.Equal(AgentAddress.QueueName("node-a"), sent.Context.DestinationAddress!.AbsolutePath.Trim('/'));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));

        var incident = await _bus.Incidents.GetAsync(_incident);
        Assert.NotNull(incident);
        Assert.Equal("Restoring", incident.State);
        Assert.Equal(_job, incident.JobId);
        Assert.Equal("user asked", incident.Reason);
        Assert.Equal(3, incident.Sequence);
        Assert.Equal("node-a", incident.NodeId);
        Assert.Equal(RecoveryHarness.Start, incident.StartedAt);
        Assert.Null(incident.Succeeded);
        Assert.Equal(["opened", "restore requested"], incident.Steps.Select(s => s.Name));
    }

    [Fact]
    public async Task Restore_completed_moves_to_verifying_and_records_pid_and_time()
    {
        await DriveToVerifyingAsync();

        var incident = await _bus.Incidents.GetAsync(_incident);
        Assert.NotNull(incident);
        Assert.Equal("Verifying", incident.State);
        Assert.Equal(4242, incident.RestoredPid);
        Assert.Equal(RecoveryHarness.Start.AddSeconds(5), incident.RestoredAt);
    }

    [Fact]
    public async Task Restore_verified_publishes_a_successful_end_and_keeps_the_incident_as_recovered()
    {
        await DriveToVerifyingAsync();
        _clock.Advance(TimeSpan.FromSeconds(7));

        await _bus.Publish(new RestoreVerified(_incident, _job, 0.45, _clock.GetUtcNow()));

        var ended = Assert.Single(await _bus.PublishedAsync<RecoveryEnded>());
        Assert.Equal(new RecoveryEnded(_incident, _job, true, "restored from checkpoint 3, progress resumed at 45 %", RecoveryHarness.Start.AddSeconds(12)), ended);
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Recovered));
        var incident = await _bus.Incidents.GetAsync(_incident);
        Assert.NotNull(incident);
        Assert.Equal("Recovered", incident.State);
        Assert.True(incident.Succeeded);
        Assert.Equal(0.45, incident.ResumedProgress);
        Assert.Equal(RecoveryHarness.Start.AddSeconds(12), incident.VerifiedAt);
        Assert.Equal(RecoveryHarness.Start.AddSeconds(12), incident.EndedAt);
        Assert.Equal(["opened", "restore requested", "restored", "verified", "recovered"], incident.Steps.Select(s => s.Name));
    }

    [Fact]
    public async Task Restore_rejected_publishes_a_failed_end_with_the_agents_reason()
    {
        await _bus.Publish(Request());
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));

        await _bus.Publish(new RestoreRejected(_job, "node-a", _incident, 3, "image signature invalid", _clock.GetUtcNow()));

        var ended = Assert.Single(await _bus.PublishedAsync<RecoveryEnded>());
        Assert.False(ended.Succeeded);
        Assert.Equal("restore failed: image signature invalid", ended.Outcome);
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Failed));
    }

    [Fact]
    public async Task Every_restore_of_an_incident_carries_the_fencing_epoch_the_job_grain_gave_it_also_after_a_fallback()
    {
        await _bus.Publish(Request(sequence: 3) with { FallbackSequences = [2], Epoch = 7 });
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));
        await _bus.Publish(new RestoreRejected(_job, "node-a", _incident, 3, "bad signature: the manifest was changed", _clock.GetUtcNow()));

        await _bus.SentAsync<RestoreJob>(m => m.Sequence == 2);
        Assert.Equal([(3, 7L), (2, 7L)], _bus.Harness.Sent.Select<RestoreJob>().Select(m => (m.Context.Message.Sequence, m.Context.Message.Epoch)));
    }

    [Fact]
    public async Task A_refused_image_falls_back_to_the_next_older_checkpoint_and_the_outcome_says_so()
    {
        await _bus.Publish(Request(sequence: 3) with { FallbackSequences = [2, 1] });
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));

        await _bus.Publish(new RestoreRejected(_job, "node-a", _incident, 3, "bad signature: the manifest was changed", _clock.GetUtcNow()));
        await _bus.Publish(new RestoreRejected(_job, "node-a", _incident, 2, "images/pages-1.img chunk 0 does not match", _clock.GetUtcNow()));
        await _bus.SentAsync<RestoreJob>(m => m.Sequence == 1);
        Assert.Equal([3, 2, 1], _bus.Harness.Sent.Select<RestoreJob>().Select(m => m.Context.Message.Sequence));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));

        await _bus.Publish(new RestoreCompleted(_job, "node-a", _incident, 1, 4343, _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Verifying));
        await _bus.Publish(new RestoreVerified(_incident, _job, 0.25, _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Recovered));

        var ended = await _bus.SingleEndedAsync();
        Assert.True(ended.Succeeded);
        Assert.Equal("restored from checkpoint 1, progress resumed at 25 % (checkpoint 3 was refused: bad signature: the manifest was changed; "
            + "checkpoint 2 was refused: images/pages-1.img chunk 0 does not match)", ended.Outcome);
        var incident = await _bus.Incidents.GetAsync(_incident);
        Assert.Equal(1, incident!.Sequence);
        Assert.Equal(["opened", "restore requested", "fell back", "fell back", "restored", "verified", "recovered"], incident.Steps.Select(s => s.Name));
    }

    [Fact]
    public async Task When_every_fallback_is_refused_too_the_recovery_fails_with_the_last_reason()
    {
        await _bus.Publish(Request(sequence: 3) with { FallbackSequences = [2] });
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));

        await _bus.Publish(new RestoreRejected(_job, "node-a", _incident, 3, "bad signature", _clock.GetUtcNow()));
        await _bus.SentAsync<RestoreJob>(m => m.Sequence == 2);
        // A late duplicate of the first refusal must not count against the checkpoint now being tried.
        await _bus.Publish(new RestoreRejected(_job, "node-a", _incident, 3, "bad signature", _clock.GetUtcNow()));
        await _bus.Publish(new RestoreRejected(_job, "node-a", _incident, 2, "CPU lacks avx512f", _clock.GetUtcNow()));

        var ended = Assert.Single(await _bus.PublishedAsync<RecoveryEnded>());
        Assert.False(ended.Succeeded);
        Assert.Equal("restore failed: CPU lacks avx512f", ended.Outcome);
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Failed));
        Assert.False(await _bus.Harness.Published.Any<Fault>());
    }

    [Fact]
    public async Task Verification_seen_before_the_agents_report_still_recovers()
    {
        await _bus.Publish(Request());
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));

        await _bus.Publish(new RestoreVerified(_incident, _job, null, _clock.GetUtcNow()));

        var ended = Assert.Single(await _bus.PublishedAsync<RecoveryEnded>());
        Assert.Equal("restored from checkpoint 3, job heartbeats again", ended.Outcome);
        Assert.True(ended.Succeeded);
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Recovered));
    }

    [Fact]
    public async Task Stall_with_a_checkpoint_restores_the_newest_one_from_the_node_holding_it()
    {
        await _bus.Publish(new JobStallDetected(_incident, _job, "node-a", StallAction.RestoreFromLastCheckpoint, 7, "node-b", 0.7,
            RecoveryHarness.Start.AddMinutes(-6), _clock.GetUtcNow()));

        await _bus.SentAsync<RestoreJob>();
        var sent = Assert.Single(_bus.Harness.Sent.Select<RestoreJob>());
        Assert.Equal(new RestoreJob(_job, "node-b", _incident, 7, "node-b"), sent.Context.Message);
        Assert.Equal(AgentAddress.QueueName("node-b"), sent.Context.DestinationAddress!.AbsolutePath.Trim('/'));
        var incident = await _bus.Incidents.GetAsync(_incident);
        Assert.NotNull(incident);
        Assert.Equal("stalled on node-a: no progress since 2026-11-26 08:54:00Z", incident.Reason);
    }

    [Fact]
    public async Task Stall_without_a_checkpoint_ends_failed_without_restoring()
    {
        await _bus.Publish(new JobStallDetected(_incident, _job, "node-a", StallAction.RestoreFromLastCheckpoint, null, null, null,
            RecoveryHarness.Start.AddMinutes(-6), _clock.GetUtcNow()));

        var ended = Assert.Single(await _bus.PublishedAsync<RecoveryEnded>());
        Assert.Equal(new RecoveryEnded(_incident, _job, false, "no checkpoint to restore from", RecoveryHarness.Start), ended);
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Failed));
        Assert.False(await _bus.Harness.Sent.Any<RestoreJob>());
    }

    [Fact]
    public async Task Stall_of_an_alert_only_job_ends_without_acting()
    {
        await _bus.Publish(new JobStallDetected(_incident, _job, "node-a", StallAction.AlertOnly, 7, "node-a", 0.7,
            RecoveryHarness.Start.AddMinutes(-6), _clock.GetUtcNow()));

        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.NotAttempted));
        var incident = await _bus.Incidents.GetAsync(_incident);
        Assert.Equal("alert only by policy", incident!.Outcome);
        Assert.False(await _bus.Harness.Sent.Any<RestoreJob>());
        // No recovery was started, so none is announced as ended (it would read as a failed recovery).
        Assert.False(await _bus.Harness.Published.Any<RecoveryEnded>());
    }

    [Fact]
    public async Task A_recovery_request_published_again_for_its_incident_opens_nothing_new_and_sends_no_second_restore()
    {
        // The job grain publishes an unanswered request again when it activates: the first copy may have arrived.
        await _bus.Publish(Request());
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));

        await _bus.Publish(Request());
        await _bus.ConsumedAsync<RecoveryRequested>(count: 2);
        await _bus.Harness.InactivityTask;

        Assert.Single(_bus.Harness.Sent.Select<RestoreJob>());
        var incident = (await _bus.Incidents.GetAsync(_incident))!;
        Assert.Equal(["opened", "restore requested"], incident.Steps.Select(s => s.Name));
        Assert.False(await _bus.Harness.Published.Any<Fault<RecoveryRequested>>());
    }

    [Fact]
    public async Task Duplicate_restore_completed_is_ignored()
    {
        await DriveToVerifyingAsync();

        await _bus.Publish(new RestoreCompleted(_job, "node-a", _incident, 3, 9999, _clock.GetUtcNow()));
        await _bus.ConsumedAsync<RestoreCompleted>(count: 2);
        await _bus.Harness.InactivityTask;

        var incident = await _bus.Incidents.GetAsync(_incident);
        Assert.NotNull(incident);
        Assert.Equal("Verifying", incident.State);
        Assert.Equal(4242, incident.RestoredPid);
        Assert.Equal(["opened", "restore requested", "restored"], incident.Steps.Select(s => s.Name));
        Assert.False(await _bus.Harness.Published.Any<Fault<RestoreCompleted>>());
    }

    [Fact]
    public async Task Late_messages_for_a_finished_incident_are_ignored_and_do_not_restart_it()
    {
        await _bus.Publish(Request());
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));
        await _bus.Publish(new RestoreRejected(_job, "node-a", _incident, 3, "no such image", _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Failed));

        await _bus.Publish(Request());
        await _bus.Publish(new RestoreCompleted(_job, "node-a", _incident, 3, 4242, _clock.GetUtcNow()));
        await _bus.Publish(new RestoreVerified(_incident, _job, 0.5, _clock.GetUtcNow()));
        await _bus.ConsumedAsync<RestoreVerified>();
        await _bus.ConsumedAsync<RecoveryRequested>(count: 2);
        await _bus.Harness.InactivityTask;

        Assert.Single(_bus.Harness.Sent.Select<RestoreJob>());
        Assert.Single(_bus.Harness.Published.Select<RecoveryEnded>());
        var incident = await _bus.Incidents.GetAsync(_incident);
        Assert.NotNull(incident);
        Assert.Equal("Failed", incident.State);
        Assert.Equal("restore failed: no such image", incident.Outcome);
        Assert.False(await _bus.Harness.Published.Any<Fault>());
    }

    [Fact]
    public async Task The_same_request_delivered_many_times_at_once_restores_once()
    {
        var request = Request();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _bus.Publish(request)));
        await _bus.ConsumedAsync<RecoveryRequested>(count: 8);
        await _bus.Harness.InactivityTask;

        Assert.Single(_bus.Harness.Sent.Select<RestoreJob>());
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));
        Assert.False(await _bus.Harness.Published.Any<Fault>());
    }

    [Fact]
    public async Task An_invalid_request_faults_with_the_reason_and_records_nothing()
    {
        await _bus.Publish(new RecoveryRequested(_incident, "not-a-job", "node a", -1, null, "user asked", _clock.GetUtcNow()));

        var fault = Assert.Single(await _bus.PublishedAsync<Fault<RecoveryRequested>>());
        var cause = Assert.Single(fault.Exceptions);
        while (cause.InnerException is not null)
            cause = cause.InnerException;
        Assert.Equal(typeof(InvalidRecoveryMessageException).FullName, cause.ExceptionType);
        Assert.Equal(
            "RecoveryRequested rejected: job id 'not-a-job' is not a job id; node id 'node a' is not a node id; checkpoint sequence -1 is negative.",
            cause.Message);
        Assert.Null(await _bus.Incidents.GetAsync(_incident));
        Assert.False(await _bus.Harness.Sent.Any<RestoreJob>());
    }
}
