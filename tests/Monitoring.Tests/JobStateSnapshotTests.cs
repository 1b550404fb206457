using System.Text.Json;
using Caas.Contracts.Events;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class JobStateSnapshotTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly JobEvents _job = new("job-00000000dd", T0);

    private JobState Folded()
    {
        var incident = Guid.NewGuid();
        var state = new JobState();
        IJobEvent[] history =
        [
            _job.Submitted(), _job.Placed(), _job.Started(1), _job.Heartbeat(2, 1, 0.3), _job.Progress(2, 0.3, "third"),
            _job.CheckpointRequested(3, 1), _job.CheckpointTaken(4, 1, 0.3), _job.Stalled(20, Guid.NewGuid(), 2),
            _job.RestoreRequested(21, incident, 1), _job.Restored(22, incident, 1), _job.CheckpointRequested(23, 2),
        ];
        foreach (var e in history)
            state.Apply(e);
        return state;
    }

    [Fact]
    public void A_snapshot_restores_exactly_the_state_it_was_taken_of()
    {
        var state = Folded();

        var snapshot = JobStateSnapshot.Of(state)!;
        var restored = JobStateSnapshot.Restore(snapshot)!;

        Assert.Equal(("job-00000000dd", 10L, JobStateSnapshot.Type), (snapshot.Stream, snapshot.Version, snapshot.Type));
        Assert.Equal(JsonSerializer.Serialize(state.ToView()), JsonSerializer.Serialize(restored.ToView()));
        Assert.Equal(JsonSerializer.Serialize(state), JsonSerializer.Serialize(restored));
        Assert.Equal(3, restored.NextCheckpointSequence);
    }

    [Fact]
    public void A_snapshot_of_another_layout_or_place_is_not_used()
    {
        var snapshot = JobStateSnapshot.Of(Folded())!;

        Assert.Null(JobStateSnapshot.Restore(snapshot with { Type = "JobState/0" }));
        Assert.Null(JobStateSnapshot.Restore(snapshot with { Version = 3 }));
        Assert.Null(JobStateSnapshot.Restore(snapshot with { Stream = "job-ffffffffff" }));
        Assert.Null(JobStateSnapshot.Of(new JobState { JobId = "job-00000000dd" }));
    }
}
