using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Monitoring.Grains;
using Caas.Monitoring.Grains.Distributed;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Monitoring.Tests;

/// <summary>
/// A distributed job's ranks' samples folded by its grain (<see cref="RankActivity"/>, which picks what becomes an event)
/// and judged by the <see cref="StallDetector"/>: the job stalls when ANY rank is silent for its threshold, naming it.
/// </summary>
[Trait("Category", "Unit")]
public sealed class RankStallTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private static readonly JobEvents Job = new("job-00000000d7", T0);
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly JobState _state = new();
    private readonly RankActivity _ranks = new();
    private readonly List<RankActivityRecorded> _recorded = [];

    public RankStallTests()
    {
        var spec = new JobSpec { Command = "/opt/ring", Ranks = 2, StallThreshold = TimeSpan.FromSeconds(10) };
        foreach (var e in new IJobEvent[]
                 {
                     Job.Submitted(0, spec), new RanksPlaced(Job.JobId, [new(0, "node-1", "10.77.0.10"), new(1, "node-2", "10.77.0.11")], Job.At(1)),
                     Job.Started(2, "node-1", 0),
                 })
            _state.Apply(e);
    }

    /// <summary>One heartbeat's sample of a rank, folded as the grain does: what the fold returns is recorded (applied to the state).</summary>
    private void Sample(int rank, double at, double cpu, string state = "S", int generation = 0)
    {
        var view = _state.Ranks[rank];
        var sample = new RankSample(rank, generation, new JobSample { JobId = Job.JobId, Pid = 100 + rank + 10 * generation, State = state, CpuSeconds = cpu });
        if (_ranks.Observe(_state, view, view.NodeId, sample, Job.At(at)) is { } recorded)
        {
            _state.Apply(recorded);
            _recorded.Add(recorded);
        }
    }

    /// <summary>Both ranks busy each second from 3 s; rank 1's CPU stands still from 8 s and its process is stopped (state T) from 9 s.</summary>
    private void RankOneStoppedAtEight(double until)
    {
        for (var s = 3; s <= until; s++)
        {
            Sample(0, s, cpu: s);
            Sample(1, s, cpu: Math.Min(s, 8), state: s >= 9 ? "T" : "S");
        }
    }

    private IEnumerable<double> RecordedAt(int rank) => _recorded.Where(r => r.Rank == rank).Select(r => (r.At - T0).TotalSeconds);

    [Fact]
    public void A_busy_rank_is_recorded_once_per_refresh_and_every_change_of_its_process_state_at_once()
    {
        RankOneStoppedAtEight(until: 17);

        // Refresh: a quarter of the 10 s threshold. 3 s: its first sample (the process state), then a move when the last recorded is 2.5 s old.
        Assert.Equal(TimeSpan.FromSeconds(2.5), RankActivity.RefreshFor(TimeSpan.FromSeconds(10)));
        Assert.Equal([3, 4, 7, 10, 13, 16], RecordedAt(0));
        // Rank 1: the same until it stops; the SIGSTOP (state T) at 9 s is recorded with its last activity, 8 s, which memory held.
        Assert.Equal([3, 4, 7, 9], RecordedAt(1));
        var stopped = _recorded.Last(r => r.Rank == 1);
        Assert.Equal(("T", Job.At(8), false), (stopped.ProcessState, stopped.LastActivityAt, stopped.Moved));
        Assert.Equal((Job.At(8), "T"), (_state.Ranks[1].LastActivityAt, _state.Ranks[1].ProcessState));
        // Memory knows rank 0 moved at 17 s, the record says 16 s: the job's view shows what memory knows.
        Assert.Equal(Job.At(16), _state.Ranks[0].LastActivityAt);
        Assert.Equal([Job.At(17), Job.At(8)], _ranks.Overlay(_state).Select(r => r.LastActivityAt));
    }

    [Fact]
    public void The_job_stalls_when_one_rank_is_silent_for_its_threshold_and_the_stall_names_that_rank_and_its_node()
    {
        var detector = new StallDetector(_clock);
        RankOneStoppedAtEight(until: 17);

        _clock.SetUtcNow(Job.At(18) - Tick);
        Assert.False(detector.ShouldRaise(_state, _ranks));
        _clock.SetUtcNow(Job.At(18));
        Assert.True(detector.ShouldRaise(_state, _ranks));
        Assert.Equal(Job.At(18), detector.DueAt(_state, _ranks));
        Assert.Equal([new RankStall(1, "node-2", Job.At(8), "T")], detector.StalledRanks(_state, _ranks));
        Assert.Equal("rank 1 on node-2 (process stopped, state T)", detector.StalledRanks(_state, _ranks)[0].Describe());
    }

    [Fact]
    public void A_stopped_rank_is_named_with_a_peer_whose_silence_made_the_stall_due_first()
    {
        var detector = new StallDetector(_clock);
        // A ring: rank 1 is stopped at 7.5 s and rank 0, waiting for it, last moves at 7 s; rank 0 is due first.
        for (var s = 3; s <= 15; s++)
        {
            Sample(0, s, cpu: Math.Min(s, 7));
            Sample(1, s, cpu: Math.Min(s, 8), state: s >= 8 ? "T" : "S");
        }
        _clock.SetUtcNow(Job.At(17));

        Assert.Equal(Job.At(17), detector.DueAt(_state, _ranks));
        Assert.Equal([new RankStall(0, "node-1", Job.At(7), "S"), new RankStall(1, "node-2", Job.At(8), "T")], detector.StalledRanks(_state, _ranks));
    }

    [Fact]
    public void The_stall_ends_when_every_rank_it_named_moves_again_and_that_move_is_recorded_at_once()
    {
        RankOneStoppedAtEight(until: 17);
        var incident = Guid.NewGuid();
        _state.Apply(new JobStalled(Job.JobId, incident, Job.At(8), TimeSpan.FromSeconds(10), Job.At(18), [new RankStall(1, "node-2", Job.At(8), "T")]));
        Assert.True(_state.IsStalled);
        Assert.Equal("stalled: no activity for 00:00:10 (threshold 00:00:10) from rank 1 on node-2 (process stopped, state T)", _state.StatusReason);

        // SIGCONT: the state changes first (recorded, not a move), then its CPU grows.
        Sample(1, 19, cpu: 8, state: "R");
        Assert.True(_state.IsStalled);
        Sample(0, 19.5, cpu: 19.5);
        Sample(1, 20, cpu: 8.5, state: "R");

        Assert.Equal([19, 20], RecordedAt(1).Where(s => s > 17));
        Assert.False(_state.IsStalled);
        Assert.Null(_state.StatusReason);
        Assert.Equal(Job.At(20), _state.Ranks[1].LastActivityAt);
    }

    [Fact]
    public void A_stall_ends_when_the_rank_it_named_exits_0_while_its_peer_runs_on()
    {
        RankOneStoppedAtEight(until: 17);
        _state.Apply(new JobStalled(Job.JobId, Guid.NewGuid(), Job.At(8), TimeSpan.FromSeconds(10), Job.At(18), [new RankStall(1, "node-2", Job.At(8), "T")]));

        _state.Apply(new RankExited(Job.JobId, 1, "node-2", 0, null, Job.At(19)));

        Assert.Equal((false, JobStatus.Running, null), (_state.IsStalled, _state.Status, _state.StatusReason));
    }

    [Fact]
    public void Silence_before_the_grain_listened_is_not_counted_when_its_memory_was_lost_with_an_activation()
    {
        RankOneStoppedAtEight(until: 17);
        // The grain wakes at 30 s on another silo: a new detector and empty memory, the record of rank 1 says 8 s.
        _clock.SetUtcNow(Job.At(30));
        var detector = new StallDetector(_clock);

        Assert.Equal(Job.At(40), detector.DueAt(_state, new RankActivity()));
    }

    [Fact]
    public void The_first_sample_of_a_new_run_of_a_rank_is_its_baseline_not_activity()
    {
        Sample(1, 3, cpu: 50);
        Sample(1, 4, cpu: 60);
        Assert.Equal(Job.At(4), _state.Ranks[1].LastActivityAt);

        // Restored here: generation 1, another process whose counters start afresh; its first sample has shown nothing yet.
        Sample(1, 9, cpu: 70, generation: 1);
        Assert.Equal(2, _recorded.Count);
        Assert.Equal(Job.At(4), _ranks.Overlay(_state)[1].LastActivityAt);

        Sample(1, 10, cpu: 71, generation: 1);
        Assert.Equal((Job.At(10), true), (_state.Ranks[1].LastActivityAt, _recorded.Last().Moved));
    }

    [Fact]
    public void An_ordinary_job_is_judged_by_its_own_activity_not_by_ranks()
    {
        var detector = new StallDetector(_clock);
        var job = new JobState();
        foreach (var e in new IJobEvent[] { Job.Submitted(0, JobEvents.Spec(TimeSpan.FromSeconds(10))), Job.Placed(), Job.Started(2) })
            job.Apply(e);

        Assert.Equal(Job.At(12), detector.DueAt(job, _ranks));
        Assert.Empty(detector.StalledRanks(job, _ranks));
    }
}
