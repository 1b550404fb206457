using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;
using Caas.Recovery.Sagas;
using MassTransit;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Recovery.Tests;

/// <summary>
/// A job whose node was lost comes back elsewhere: place (never on the lost node, retried while no node fits) →
/// move the image from the node holding it → restore → verify. Timeouts are driven with the fake clock.
/// </summary>
[Trait("Category", "Unit")]
public sealed class RecoveryAcrossNodes_Specs : IAsyncLifetime
{
    private static readonly RecoveryOptions Options = new()
    {
        PlacementTimeout = TimeSpan.FromSeconds(10), PlacementRetryDelay = TimeSpan.FromSeconds(5), PlacementAttempts = 3,
        TransferTimeout = TimeSpan.FromSeconds(60), RestoreTimeout = TimeSpan.FromSeconds(30), VerifyTimeout = TimeSpan.FromSeconds(30),
    };

    private readonly TempDatabase _database = new();
    private readonly FakeTimeProvider _clock = new(RecoveryHarness.Start);
    private readonly Guid _incident = Guid.NewGuid();
    private readonly string _job = JobIds.New();
    private RecoveryHarness _bus = null!;

    public async Task InitializeAsync() => _bus = await RecoveryHarness.StartAsync(_database.Path, _clock, Options);

    public async Task DisposeAsync()
    {
        await _bus.DisposeAsync();
        _database.Dispose();
    }

    /// <summary>node-a was lost; checkpoint 5 (progress 0.6) has a copy on node-b, checkpoint 4 too.</summary>
    private RecoveryRequested NodeLost(IReadOnlyList<int>? fallbacks = null) =>
        new(_incident, _job, "node-a", 5, 0.6, "node node-a lost", _clock.GetUtcNow(), fallbacks, AvoidNodeId: "node-a", CheckpointNodeId: "node-b");

    /// <summary>The incident's one end, once its state says it ended.</summary>
    private async Task<RecoveryEnded> EndedAsync()
    {
        Assert.True(await _bus.Harness.Published.Any<RecoveryEnded>());
        return Assert.Single(_bus.Harness.Published.Select<RecoveryEnded>()).Context.Message;
    }

    /// <summary>node-a lost, placed on node-c: the image is on its way from node-b.</summary>
    private async Task DriveToTransferringAsync(IReadOnlyList<int>? fallbacks = null)
    {
        await _bus.Publish(NodeLost(fallbacks));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Placing));
        await PlaceAsync("node-c");
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Transferring));
    }

    private async Task PlaceAsync(string nodeId, int attempt = 1)
    {
        await _bus.Publish(new RecoveryPlaced(_incident, _job, nodeId, attempt, _clock.GetUtcNow()));
    }

    [Fact]
    public async Task A_lost_node_asks_for_a_node_other_than_the_lost_one()
    {
        await _bus.Publish(NodeLost());

        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Placing));
        var asked = Assert.Single(await _bus.PublishedAsync<PlaceRecoveredJob>());
        Assert.Equal(_incident, asked.IncidentId);
        Assert.Equal(_job, asked.JobId);
        Assert.Equal(["node-a"], asked.ExcludedNodeIds);
        Assert.Equal(1, asked.Attempt);
        Assert.False(await _bus.Harness.Sent.Any<RestoreJob>());
    }

    [Fact]
    public async Task A_policy_move_of_a_live_job_is_placed_within_its_policys_pools_away_from_its_node_and_says_how_its_checkpoint_was_taken()
    {
        var targets = new RecoveryTargets { AvoidNodeId = "node-a", CurrentPool = "cloud-a", AllowCrossPool = true, RequireOtherPool = true, PreferredPools = ["cloud-b"] };
        await _bus.Publish(new RecoveryRequested(_incident, _job, "node-a", 7, 0.7, "starved (cpu) on node-a", _clock.GetUtcNow(), [6],
            RecoveryAction.MoveToOtherPool, PolicyTrigger.Starvation, targets, 1, CheckpointNote: "checkpoint 7 taken from the running job at the incident (progress 0.7)"));

        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Placing));
        var asked = Assert.Single(await _bus.PublishedAsync<PlaceRecoveredJob>());
        Assert.Equal(["node-a"], asked.ExcludedNodeIds);
        Assert.Equal((7, "cloud-a", true), (asked.Sequence, asked.Targets!.CurrentPool, asked.Targets.RequireOtherPool));
        Assert.Equal(["cloud-b"], asked.Targets.PreferredPools);
        Assert.False(await _bus.Harness.Sent.Any<RestoreJob>());

        // The image lies on the node the job leaves: it moves to the chosen node first.
        await PlaceAsync("node-x");
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Transferring));
        Assert.Equal(new TransferCheckpoint(_job, 7, "node-a", "node-x", _incident), Assert.Single(_bus.Harness.Sent.Select<TransferCheckpoint>()).Context.Message);
        var incident = (await _bus.Incidents.GetAsync(_incident))!;
        Assert.Equal(["opened", "checkpoint", "placing", "placed", "transfer requested"], incident.Steps.Select(s => s.Name));
        Assert.Equal("checkpoint 7 taken from the running job at the incident (progress 0.7)", incident.Steps[1].Detail);
    }

    [Fact]
    public async Task Placed_where_the_image_lies_it_is_restored_there_without_a_transfer()
    {
        await _bus.Publish(NodeLost());
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Placing));

        await PlaceAsync("node-b");

        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));
        await _bus.SentAsync<RestoreJob>();
        var restore = Assert.Single(_bus.Harness.Sent.Select<RestoreJob>());
        Assert.Equal(new RestoreJob(_job, "node-b", _incident, 5, "node-b"), restore.Context.Message);
        Assert.Equal(AgentAddress.QueueName("node-b"), restore.Context.DestinationAddress!.AbsolutePath.Trim('/'));
        Assert.False(await _bus.Harness.Sent.Any<TransferCheckpoint>());
    }

    [Fact]
    public async Task Placed_elsewhere_the_image_moves_to_the_target_then_is_restored_and_verified()
    {
        await _bus.Publish(NodeLost());
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Placing));
        _clock.Advance(TimeSpan.FromSeconds(1));
        await PlaceAsync("node-c");

        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Transferring));
        var transfer = Assert.Single(_bus.Harness.Sent.Select<TransferCheckpoint>());
        Assert.Equal(new TransferCheckpoint(_job, 5, "node-b", "node-c", _incident), transfer.Context.Message);
        Assert.Equal(AgentAddress.QueueName("node-b"), transfer.Context.DestinationAddress!.AbsolutePath.Trim('/'));
        Assert.False(await _bus.Harness.Sent.Any<RestoreJob>());

        _clock.Advance(TimeSpan.FromSeconds(2));
        await _bus.Publish(new CheckpointTransferred(_incident, _job, 5, "node-b", "node-c", 4096, TimeSpan.FromSeconds(2), _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));
        await _bus.SentAsync<RestoreJob>();
        var restore = Assert.Single(_bus.Harness.Sent.Select<RestoreJob>());
        Assert.Equal(new RestoreJob(_job, "node-c", _incident, 5, "node-b"), restore.Context.Message);
        Assert.Equal(AgentAddress.QueueName("node-c"), restore.Context.DestinationAddress!.AbsolutePath.Trim('/'));

        await _bus.Publish(new RestoreCompleted(_job, "node-c", _incident, 5, 4711, _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Verifying));
        await _bus.Publish(new RestoreVerified(_incident, _job, 0.61, _clock.GetUtcNow()));

        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Recovered));
        var ended = await EndedAsync();
        Assert.True(ended.Succeeded);
        Assert.Equal("restored from checkpoint 5, progress resumed at 61 %", ended.Outcome);
        var incident = await _bus.Incidents.GetAsync(_incident);
        Assert.NotNull(incident);
        Assert.Equal(("Recovered", "node-c", "node-b", 4711), (incident.State, incident.NodeId, incident.CheckpointNodeId, incident.RestoredPid));
        Assert.Equal(["opened", "placing", "placed", "transfer requested", "transferred", "restore requested", "restored", "verified", "recovered"], incident.Steps.Select(s => s.Name));
    }

    [Fact]
    public async Task When_no_node_fits_placement_is_asked_again_after_the_retry_delay_and_then_succeeds()
    {
        await _bus.Publish(NodeLost());
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Placing));
        await _bus.Publish(new RecoveryPlacementFailed(_incident, _job, "every usable node is full", 1, _clock.GetUtcNow()));
        await _bus.ConsumedAsync<RecoveryPlacementFailed>();

        _clock.Advance(Options.PlacementRetryDelay);
        var asked = await _bus.PublishedAsync<PlaceRecoveredJob>(2);
        Assert.Equal([1, 2], asked.Select(a => a.Attempt));
        // An answer to the first attempt that comes late is not taken for the second one's.
        await PlaceAsync("node-c", attempt: 1);
        await _bus.ConsumedAsync<RecoveryPlaced>();
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Placing));

        await PlaceAsync("node-b", attempt: 2);
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));
        await _bus.SentAsync<RestoreJob>();
        Assert.Equal("node-b", Assert.Single(_bus.Harness.Sent.Select<RestoreJob>()).Context.Message.NodeId);
    }

    [Fact]
    public async Task After_its_last_placement_attempt_finds_no_node_the_incident_gives_up_with_the_reason()
    {
        await _bus.Publish(NodeLost());
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Placing));
        // Attempt 1 finds nothing, attempt 2 is never answered, attempt 3 finds nothing.
        await _bus.Publish(new RecoveryPlacementFailed(_incident, _job, "every usable node is full", 1, _clock.GetUtcNow()));
        await _bus.ConsumedAsync<RecoveryPlacementFailed>();
        _clock.Advance(Options.PlacementRetryDelay);
        await _bus.PublishedAsync<PlaceRecoveredJob>(2);
        _clock.Advance(Options.PlacementTimeout);
        await _bus.PublishedAsync<PlaceRecoveredJob>(3);
        await _bus.Publish(new RecoveryPlacementFailed(_incident, _job, "every node in pool 'onprem' is lost or returning from a loss", 3, _clock.GetUtcNow()));

        var ended = Assert.Single(await _bus.PublishedAsync<RecoveryEnded>());
        Assert.False(ended.Succeeded);
        Assert.Equal("no node to restore on after 3 placement attempts: every node in pool 'onprem' is lost or returning from a loss", ended.Outcome);
        Assert.Equal(RecoveryHarness.Start + Options.PlacementRetryDelay + Options.PlacementTimeout, ended.At);
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Failed));
        Assert.False(await _bus.Harness.Sent.Any<RestoreJob>());
    }

    [Fact]
    public async Task A_transfer_that_fails_moves_the_previous_good_checkpoint_instead_and_the_outcome_says_so()
    {
        await DriveToTransferringAsync(fallbacks: [4]);

        await _bus.Publish(new CheckpointTransferFailed(_incident, _job, 5, "node-b", "node-c", "node-c", "chunk 3 does not match its digest", _clock.GetUtcNow()));

        await _bus.SentAsync<TransferCheckpoint>(m => m.Sequence == 4);
        Assert.Equal([5, 4], _bus.Harness.Sent.Select<TransferCheckpoint>().Select(m => m.Context.Message.Sequence));
        await _bus.Publish(new CheckpointTransferred(_incident, _job, 4, "node-b", "node-c", 100, TimeSpan.FromSeconds(1), _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));
        // The saga's new state can be stored a moment before the harness has recorded what it sent: wait for the send.
        await _bus.SentAsync<RestoreJob>();
        Assert.Equal(4, Assert.Single(_bus.Harness.Sent.Select<RestoreJob>()).Context.Message.Sequence);
        await _bus.Publish(new RestoreCompleted(_job, "node-c", _incident, 4, 99, _clock.GetUtcNow()));
        await _bus.Publish(new RestoreVerified(_incident, _job, 0.5, _clock.GetUtcNow()));

        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Recovered));
        var ended = await EndedAsync();
        Assert.Equal("restored from checkpoint 4, progress resumed at 50 % (checkpoint 5 was refused: chunk 3 does not match its digest)", ended.Outcome);
    }

    [Fact]
    public async Task A_restore_refused_after_a_move_moves_the_previous_checkpoint_and_restores_that()
    {
        await DriveToTransferringAsync(fallbacks: [4]);
        await _bus.Publish(new CheckpointTransferred(_incident, _job, 5, "node-b", "node-c", 100, TimeSpan.FromSeconds(1), _clock.GetUtcNow()));
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Restoring));

        await _bus.Publish(new RestoreRejected(_job, "node-c", _incident, 5, "checkpoint 5 refused: CPU lacks avx512f", _clock.GetUtcNow()));

        await _bus.SentAsync<TransferCheckpoint>(m => m.Sequence == 4);
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Transferring));
    }

    [Fact]
    public async Task A_transfer_that_fails_with_nothing_older_to_try_ends_the_incident_with_the_reason()
    {
        await DriveToTransferringAsync();

        await _bus.Publish(new CheckpointTransferFailed(_incident, _job, 5, "node-b", "node-c", "node-b", "checkpoint 5 of job is not on node node-b", _clock.GetUtcNow()));

        var ended = Assert.Single(await _bus.PublishedAsync<RecoveryEnded>());
        Assert.Equal("checkpoint 5 could not be moved: checkpoint 5 of job is not on node node-b", ended.Outcome);
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Failed));
    }

    [Fact]
    public async Task A_transfer_nobody_answers_times_out()
    {
        await DriveToTransferringAsync();

        _clock.Advance(Options.TransferTimeout);

        var ended = Assert.Single(await _bus.PublishedAsync<RecoveryEnded>());
        Assert.Equal("transfer timed out: the image did not move from node node-b to node node-c within 60 s", ended.Outcome);
        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Failed));
    }

    [Fact]
    public async Task Another_transfer_of_the_same_job_does_not_move_the_incident_on()
    {
        await DriveToTransferringAsync();

        // A replica copy (its own transfer id) and a report for another target.
        await _bus.Publish(new CheckpointTransferred(Guid.NewGuid(), _job, 5, "node-b", "node-c", 1, TimeSpan.Zero, _clock.GetUtcNow()));
        await _bus.Publish(new CheckpointTransferred(_incident, _job, 5, "node-b", "node-d", 1, TimeSpan.Zero, _clock.GetUtcNow()));
        await _bus.ConsumedAsync<CheckpointTransferred>();

        Assert.NotNull(await _bus.Saga.Exists(_incident, x => x.Transferring));
        Assert.False(await _bus.Harness.Sent.Any<RestoreJob>());
        Assert.False(await _bus.Harness.Published.Any<Fault>());
    }

    [Fact]
    public async Task A_request_to_restore_on_the_node_it_must_avoid_is_refused_and_records_nothing()
    {
        await _bus.Publish(NodeLost() with { CheckpointNodeId = "node-a" });

        var fault = Assert.Single(await _bus.PublishedAsync<Fault<RecoveryRequested>>());
        var cause = Assert.Single(fault.Exceptions);
        while (cause.InnerException is not null)
            cause = cause.InnerException;
        Assert.Equal("RecoveryRequested rejected: the checkpoint to restore lies on node node-a, the node to avoid.", cause.Message);
        Assert.Null(await _bus.Incidents.GetAsync(_incident));
    }
}
