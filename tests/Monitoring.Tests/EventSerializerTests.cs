using Caas.Contracts.Policies;
using Caas.Contracts.Jobs;
using System.Text.Json;
using Caas.Contracts.Alerts;
using Caas.Contracts.Events;
using Caas.Contracts.Events.Alerts;
using Caas.Contracts.Views;
using Caas.Monitoring.EventStore;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class EventSerializerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly JobEvents Job = new("job-00000000cc", T0);
    private readonly EventSerializer _serializer = new();

    public static TheoryData<string, IJobEvent> EveryEventType() => new()
    {
        { "JobSubmitted", Job.Submitted() },
        { "JobPlaced", Job.Placed() },
        { "JobStarted", Job.Started(1) },
        { "JobStartFailed", Job.StartFailed(1, "no such file") },
        { "HeartbeatRecorded", Job.Heartbeat(2, cpu: 1.5, progress: 0.5, message: "half") },
        { "ProgressReported", Job.Progress(2, 0.5, "half") },
        { "CheckpointRequested", Job.CheckpointRequested(3, 1) },
        { "CheckpointTaken", Job.CheckpointTaken(4, 1, 0.5) },
        { "CheckpointFailed", new CheckpointFailed(Job.JobId, 2, "criu failed", Job.At(5)) },
        { "KillRequested", Job.KillRequested(6) },
        { "JobExited", Job.Exited(7, null, 9, "killed by signal 9 (SIGKILL)") },
        { "JobStalled", Job.Stalled(8, Guid.Parse("11111111-2222-3333-4444-555555555555"), 2) with { Ranks = [new RankStall(1, "node-2", Job.At(1), "T")] } },
        { "RestoreRequested", Job.RestoreRequested(9, Guid.Parse("11111111-2222-3333-4444-555555555555"), 1) with
            {
                Request = new Contracts.Bus.RecoveryRequested(Guid.Parse("11111111-2222-3333-4444-555555555555"), Job.JobId, "node-1", 1, 0.5, "node node-1 lost", Job.At(9), [0],
                    RecoveryAction.MoveToOtherPool, PolicyTrigger.Starvation, new RecoveryTargets { AvoidNodeId = "node-1", AllowedPools = ["a", "b"] }, 2,
                    AvoidNodeId: "node-1", CheckpointNodeId: "node-2", Epoch: 3, CheckpointNote: "checkpoint 1 taken"),
            } },
        { "JobRestored", Job.Restored(10, Guid.Parse("11111111-2222-3333-4444-555555555555"), 1) with { Duration = TimeSpan.FromSeconds(0.4) } },
        { "RestoreFailed", Job.RestoreFailed(11, Guid.Parse("11111111-2222-3333-4444-555555555555"), 1, "bad image") },
        { "RecoveryFinished", Job.RecoveryFinished(12, Guid.Parse("11111111-2222-3333-4444-555555555555"), true, "restored on node-2") },
        { "JobStarved", new JobStarved(Job.JobId, Guid.Parse("11111111-2222-3333-4444-555555555555"), StarvationCause.Cpu, "throttled", 0.0001, 0.001, TimeSpan.FromMinutes(5), Job.At(13)) },
        { "JobStarvationEnded", new JobStarvationEnded(Job.JobId, Guid.Parse("11111111-2222-3333-4444-555555555555"), 0.0009, Job.At(14)) },
        { "CheckpointVerificationRequested", new CheckpointVerificationRequested(Job.JobId, 1, Job.At(13)) },
        { "CheckpointVerified", new CheckpointVerified(Job.JobId, 1, "node-1", Job.At(14)) },
        { "CheckpointVerificationFailed", new CheckpointVerificationFailed(Job.JobId, 1, "node-1", "bad image", Job.At(15)) },
        { "CheckpointDeleted", new CheckpointDeleted(Job.JobId, 1, "node-1", CheckpointRemoval.Retention, "beyond the last 5 checkpoints", Job.At(16)) },
        { "RecoveryPolicyApplied", new RecoveryPolicyApplied(Job.JobId, Guid.Parse("11111111-2222-3333-4444-555555555555"), new PolicyDecision
            {
                Trigger = PolicyTrigger.Starvation, Action = RecoveryAction.MoveToOtherPool, Reason = "starvation: move", Attempt = 2, At = Job.At(17), NotBefore = Job.At(27),
                Targets = new RecoveryTargets { AvoidNodeId = "node-1", CurrentPool = "cloud-a", AllowedPools = ["cloud-a", "cloud-b"], PreferredPools = ["cloud-b"], AllowCrossPool = true, RequireOtherPool = true },
            }, Job.At(17)) },
        { "JobNodeLost", new JobNodeLost(Job.JobId, Guid.Parse("11111111-2222-3333-4444-555555555555"), "node-1", Job.At(19)) },
        { "RecoveryPolicySet", new RecoveryPolicySet(Job.JobId, new RecoveryPolicy { OnFailure = FailureResponse.Restart, Checkpoints = new CheckpointSchedule { Mode = CheckpointMode.Adaptive } }, Job.At(18)) },
        { "CheckpointCopied", new CheckpointCopied(Job.JobId, 1, "node-2", Job.At(17)) },
        { "NodeLostWithJob", new NodeLostWithJob(Job.JobId, "node-1", Job.At(18), Job.At(19)) },
        { "NodeReturnedWithJob", new NodeReturnedWithJob(Job.JobId, "node-1", 4242, Job.At(20)) },
        { "CheckpointMoved", new CheckpointMoved(Job.JobId, Guid.Parse("11111111-2222-3333-4444-555555555555"), 1, "node-1", "node-2", 1_048_576, TimeSpan.FromSeconds(0.8), Job.At(17)) },
        { "JobSwapOutRequested", new JobSwapOutRequested(Job.JobId, 2, "job-00000000ff", "job job-00000000ff (priority 5) took its slot on node node-1; this job's priority is 0", Job.At(20)) },
        { "JobSwappedIn", new JobSwappedIn(Job.JobId, Guid.Parse("11111111-2222-3333-4444-666666666666"), 2, "node-1", Job.At(21)) },
        { "RanksPlaced", new RanksPlaced(Job.JobId, [new RankAssignment(0, "node-1", "10.77.0.10"), new RankAssignment(1, "node-2", "10.77.0.11")], Job.At(22)) },
        { "RanksRestored", new RanksRestored(Job.JobId, Guid.Parse("11111111-2222-3333-4444-777777777777"), 1, [new RankAssignment(0, "node-3", "10.77.0.10")], Job.At(23)) },
        { "RankExited", new RankExited(Job.JobId, 1, "node-2", 0, null, Job.At(24)) },
        { "RankNodeLost", new RankNodeLost(Job.JobId, 1, "node-2", Job.At(24), Job.At(25)) },
        { "RankActivityRecorded", new RankActivityRecorded(Job.JobId, 1, "node-2", "T", Job.At(24), false, Job.At(26)) },
        { "RecoveryCheckpointRequested", new RecoveryCheckpointRequested(Job.JobId, Guid.Parse("11111111-2222-3333-4444-777777777777"), 3, new PolicyDecision
            {
                Trigger = PolicyTrigger.Stall, Action = RecoveryAction.MoveToOtherNode, Reason = "stall: move", Attempt = 1, At = Job.At(22), NotBefore = Job.At(22),
                Targets = new RecoveryTargets { AvoidNodeId = "node-1", CurrentPool = "cloud-a" },
            }, "stalled: no progress for 00:00:10", Job.At(22)) },
        { "DistributedRestorePlanned", new DistributedRestorePlanned(Job.JobId, Guid.Parse("11111111-2222-3333-4444-888888888888"), 2, new PolicyDecision
            {
                Trigger = PolicyTrigger.Stall, Action = RecoveryAction.RestartInPlace, Reason = "stall: restart", Attempt = 1, At = Job.At(27), NotBefore = Job.At(27),
            }, "rank 1 on node-2 stalled", Job.At(27)) },
    };

    public static TheoryData<string, object> EveryAlertingEventType() => new()
    {
        { "AlertRaised", new AlertRaised("stalled-job-00000000cc", AlertKind.Stalled, new AlertSubject(Job.JobId, "sim", "node-1", "cloud-1"), "no progress", Job.At(2), Job.At(1)) },
        { "AlertFired", new AlertFired("stalled-job-00000000cc", Job.At(2)) },
        { "AlertReopened", new AlertReopened("stalled-job-00000000cc", "no progress again", Job.At(3)) },
        { "AlertAcknowledged", new AlertAcknowledged("stalled-job-00000000cc", "olivia", "on it", Job.At(4)) },
        { "AlertResolved", new AlertResolved("stalled-job-00000000cc", Job.At(5)) },
        { "SilenceCreated", new SilenceCreated("s1", new SilenceMatchers { Kind = AlertKind.Failed, NameGlob = "nightly-*" }, Job.At(60), "olivia", "maintenance", Job.At(6)) },
        { "SilenceExpired", new SilenceExpired("s1", "oscar", Job.At(7)) },
    };

    [Theory]
    [MemberData(nameof(EveryAlertingEventType))]
    public void Every_alert_and_silence_event_survives_a_round_trip_under_its_stored_name(string typeName, object storedEvent)
    {
        var data = _serializer.ToEventData("alert-x", 3, storedEvent);

        Assert.Equal(typeName, data.Type);
        Assert.Equal(_serializer.Serialize(storedEvent), _serializer.Serialize(_serializer.DeserializeAny(data.Type, data.Data)));
        Assert.Equal(storedEvent.GetType(), _serializer.DeserializeAny(data.Type, data.Data).GetType());
    }

    [Fact]
    public void An_alert_event_is_not_read_as_a_job_event()
    {
        var data = _serializer.ToEventData("alert-x", 0, new AlertFired("x", Job.At(1)));

        Assert.Throws<UnknownEventTypeException>(() => _serializer.Deserialize(data.Type, data.Data));
    }

    [Fact]
    public void An_event_read_back_by_the_process_that_wrote_it_is_the_written_object_and_otherwise_parsed_from_its_data()
    {
        var heartbeat = Job.Heartbeat(2, cpu: 1.5, progress: 0.5, message: "half");
        var data = _serializer.ToEventData(Job.JobId, 3, heartbeat);
        var recorded = new RecordedEvent(Job.JobId, 3, 7, data.EventId, data.Type, data.Data, Job.At(2));

        Assert.Same(heartbeat, data.Original);
        Assert.Same(heartbeat, _serializer.Deserialize(recorded with { Original = data.Original }));
        Assert.Same(heartbeat, _serializer.DeserializeAny(recorded with { Original = data.Original }));
        var parsed = _serializer.Deserialize(recorded);
        Assert.NotSame(heartbeat, parsed);
        Assert.Equal(data.Data, _serializer.Serialize(parsed));
        // An object that is not what the stored type name says is never taken for it.
        Assert.IsType<HeartbeatRecorded>(_serializer.Deserialize(recorded with { Original = Job.Progress(2, 0.5, "half") }));
    }

    [Fact]
    public void Every_job_event_type_has_exactly_one_stored_name()
    {
        var expected = EveryEventType().Select(row => (string)row[0]).Concat(EveryAlertingEventType().Select(row => (string)row[0])).Order(StringComparer.Ordinal);
        Assert.Equal(expected, _serializer.TypeNames.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_serializer_that_dependency_injection_builds_knows_every_event_type()
    {
        using var dir = new TempDirectory();
        using var provider = new ServiceCollection().AddCaasSqliteEventStore(dir.File("data/events.db")).BuildServiceProvider();

        Assert.Equal(_serializer.TypeNames.Order(StringComparer.Ordinal), provider.GetRequiredService<EventSerializer>().TypeNames.Order(StringComparer.Ordinal));
        Assert.True(Directory.Exists(dir.File("data")));
    }

    [Theory]
    [MemberData(nameof(EveryEventType))]
    public void Every_event_survives_a_round_trip_under_its_stored_name(string typeName, IJobEvent jobEvent)
    {
        var data = _serializer.ToEventData(Job.JobId, 3, jobEvent);

        Assert.Equal(typeName, data.Type);
        Assert.DoesNotContain("Caas.", data.Data, StringComparison.Ordinal);
        Assert.Contains("\"jobId\":\"job-00000000cc\"", data.Data, StringComparison.Ordinal);
        var back = _serializer.Deserialize(data.Type, data.Data);
        Assert.IsType(jobEvent.GetType(), back);
        Assert.Equal(data.Data, _serializer.Serialize(back));
        Assert.Equal(jobEvent.At, back.At);
    }

    [Fact]
    public void A_submitted_spec_keeps_its_arguments_environment_and_threshold()
    {
        var submitted = Job.Submitted(spec: JobEvents.Spec(TimeSpan.FromSeconds(7)) with { Env = new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "2" } });

        var back = (JobSubmitted)_serializer.Deserialize("JobSubmitted", _serializer.Serialize(submitted));

        Assert.Equal(["600"], back.Spec.Args);
        Assert.Equal("2", back.Spec.Env["OMP_NUM_THREADS"]);
        Assert.Equal(TimeSpan.FromSeconds(7), back.Spec.StallThreshold);
        Assert.Equal(submitted.Spec.OnStall, back.Spec.OnStall);
    }

    [Fact]
    public void The_same_event_at_the_same_place_gets_the_same_id_and_elsewhere_another()
    {
        var e = Job.Progress(2, 0.5);

        Assert.Equal(_serializer.ToEventData(Job.JobId, 4, e).EventId, _serializer.ToEventData(Job.JobId, 4, e).EventId);
        Assert.NotEqual(_serializer.ToEventData(Job.JobId, 4, e).EventId, _serializer.ToEventData(Job.JobId, 5, e).EventId);
        Assert.NotEqual(_serializer.ToEventData(Job.JobId, 4, e).EventId, _serializer.ToEventData(Job.JobId, 4, Job.Progress(2, 0.6)).EventId);
    }

    [Fact]
    public void An_event_id_is_what_earlier_builds_stored_for_it_so_their_retried_writes_are_recognised()
    {
        // Non-ASCII text, so the id is taken over UTF-8 bytes as it always was.
        var e = Job.Progress(2, 0.5, "étape 3 von 4 — 東京");
        var data = _serializer.ToEventData(Job.JobId, 12345678901, e);

        var stored = System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"{Job.JobId}\n12345678901\nProgressReported\n{data.Data}"));
        Assert.Equal(new Guid(stored.AsSpan(0, 16)), data.EventId);
    }

    [Fact]
    public void An_unknown_stored_type_name_is_a_clear_error()
    {
        var error = Assert.Throws<UnknownEventTypeException>(() => _serializer.Deserialize("JobTeleported", "{}"));

        Assert.StartsWith("Stored event type 'JobTeleported' is unknown; known types are: AlertAcknowledged, AlertFired, AlertRaised,", error.Message);
    }

    [Fact]
    public void Json_that_does_not_match_the_type_is_a_clear_error()
    {
        var error = Assert.Throws<JsonException>(() => _serializer.Deserialize("JobPlaced", "{\"jobId\": 5}"));

        Assert.StartsWith("Stored event of type 'JobPlaced' does not match its schema:", error.Message);
    }
}
