using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Monitoring.Grains;
using Caas.Monitoring.Grains.ReadModels;

namespace Caas.Monitoring.Tests;

/// <summary>How a distributed job's events fold: its ranks' states into the job's, and every rank's node into where it runs.</summary>
[Trait("Category", "Unit")]
public sealed class DistributedJobStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly JobEvents Job = new("job-00000000d5", T0);
    private static readonly RankAssignment[] Placed = [new(0, "node-1", "10.77.0.10"), new(1, "node-2", "10.77.0.11")];

    private static IJobEvent[] Started() =>
        [Job.Submitted(0, new JobSpec { Command = "/opt/ring", Ranks = 2 }), new RanksPlaced(Job.JobId, Placed, Job.At(1)), Job.Started(2, "node-1", 0)];

    [Fact]
    public void The_node_loss_feed_finds_a_distributed_job_on_the_node_of_any_of_its_ranks()
    {
        var projection = new JobListProjection();
        var position = 0;
        foreach (var e in Started())
            projection.Apply(e, ++position);

        Assert.Equal([Job.JobId], projection.OnNode("node-2"));
        Assert.Equal([Job.JobId], projection.OnNode("node-1"));
        Assert.Empty(projection.OnNode("node-3"));
    }

    [Fact]
    public void A_restore_moves_the_ranks_and_a_stop_mode_checkpoint_stops_them()
    {
        var state = new JobState();
        foreach (var e in Started())
            state.Apply(e);
        state.Apply(Job.CheckpointRequested(3, 1) with { LeaveRunning = false });
        state.Apply(new CheckpointTaken(Job.JobId, new CheckpointInfo { Sequence = 1, NodeId = "node-1", LeaveRunning = false }, Job.At(4)));
        Assert.Equal((JobStatus.Stopped, RankState.Stopped, RankState.Stopped), (state.Status, state.Ranks[0].State, state.Ranks[1].State));

        var incident = Guid.NewGuid();
        RankAssignment[] moved = [new(0, "node-3", "10.77.0.10"), new(1, "node-4", "10.77.0.11")];
        state.Apply(Job.RestoreRequested(5, incident, 1));
        state.Apply(new JobRestored(Job.JobId, incident, 1, "node-3", 0, Job.At(6)));
        state.Apply(new RanksRestored(Job.JobId, incident, 1, moved, Job.At(6)));

        Assert.Equal((JobStatus.Running, "node-3", null), (state.Status, state.NodeId, state.UnverifiedRestore));
        Assert.Equal(moved.Select(r => (r.Rank, r.NodeId, r.Address, RankState.Running)), state.Ranks.Select(r => (r.Rank, r.NodeId, r.Address, r.State)));
    }
}
