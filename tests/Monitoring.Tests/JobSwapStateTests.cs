using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Monitoring.Grains;

namespace Caas.Monitoring.Tests;

/// <summary>What a job's stream says about its swap-out and swap-in, folded as after a silo restart.</summary>
[Trait("Category", "Unit")]
public sealed class JobSwapStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private const string Reason = "job job-00000000ff (priority 5) took its slot on node node-1; this job's priority is 0";
    private readonly JobEvents _job = new("job-00000000bb", T0);

    private static JobState Fold(params IJobEvent[] events)
    {
        var state = new JobState();
        foreach (var e in events)
            state.Apply(e);
        return state;
    }

    private IJobEvent[] SwappedOut() =>
    [
        _job.Submitted(), _job.Started(1),
        new JobSwapOutRequested(_job.JobId, 1, "job-00000000ff", Reason, _job.At(10)),
        _job.CheckpointRequested(10, 1, leaveRunning: false),
        _job.CheckpointTaken(12, 1, 0.3, leaveRunning: false),
    ];

    [Fact]
    public void A_job_whose_swap_out_checkpoint_is_taken_is_swapped_out_with_the_reason_and_not_suspended()
    {
        var view = Fold(SwappedOut()).ToView();

        Assert.Equal((JobStatus.Stopped, true, "job-00000000ff", false), (view.Status, view.SwappedOut, view.SwappedOutFor, view.Suspended));
        Assert.Equal($"swapped out to checkpoint 1: {Reason}", view.StatusReason);
    }

    [Fact]
    public void A_failed_swap_out_checkpoint_leaves_the_job_running_and_not_swapped_out()
    {
        var state = Fold(_job.Submitted(), _job.Started(1),
            new JobSwapOutRequested(_job.JobId, 1, "job-00000000ff", Reason, _job.At(10)),
            _job.CheckpointRequested(10, 1, leaveRunning: false),
            new CheckpointFailed(_job.JobId, 1, "criu dump failed", _job.At(11)));

        Assert.Equal((JobStatus.Running, false, null), (state.Status, state.SwappedOut, state.SwapOutSequence));
    }

    [Fact]
    public void A_swap_in_ends_the_swapped_out_state_and_its_restore_starts_the_cooldown()
    {
        var incident = Guid.Parse("11111111-2222-3333-4444-777777777777");
        var state = Fold([.. SwappedOut(),
            new JobSwappedIn(_job.JobId, incident, 1, "node-2", _job.At(20)),
            new RestoreRequested(_job.JobId, incident, 1, "swapped in on node node-2: a slot freed", _job.At(20)),
            new JobRestored(_job.JobId, incident, 1, "node-2", 5151, _job.At(22))]);

        Assert.Equal((JobStatus.Running, false, "node-2", 0.3), (state.Status, state.SwappedOut, state.NodeId, state.Progress));
        Assert.Equal(_job.At(22), state.SwappedInAt);
    }

    [Fact]
    public void A_user_restore_of_a_swapped_out_job_takes_it_out_of_the_swap_queue_without_a_cooldown()
    {
        var incident = Guid.Parse("11111111-2222-3333-4444-888888888888");
        var state = Fold([.. SwappedOut(),
            new RestoreRequested(_job.JobId, incident, 1, "restore requested", _job.At(20)),
            new JobRestored(_job.JobId, incident, 1, "node-1", 5151, _job.At(22))]);

        Assert.Equal((JobStatus.Running, false, null), (state.Status, state.SwappedOut, state.SwappedInAt));
    }
}
