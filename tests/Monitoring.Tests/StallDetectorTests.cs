using Caas.Contracts.Events;
using Caas.Monitoring.Grains;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class StallDetectorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly JobEvents _job = new("job-00000000aa", T0);

    private JobState Running(params IJobEvent[] more) => RunningWith(JobEvents.Spec(TimeSpan.FromSeconds(10)), more);

    private JobState RunningWith(Caas.Contracts.Jobs.JobSpec spec, params IJobEvent[] more)
    {
        var state = new JobState();
        foreach (var e in new IJobEvent[] { _job.Submitted(spec: spec), _job.Placed(), _job.Started() }.Concat(more))
            state.Apply(e);
        return state;
    }

    private void ClockAt(double seconds) => _clock.SetUtcNow(T0.AddSeconds(seconds));

    /// <summary>Asserts the stall is due at exactly <paramref name="seconds"/>: not one tick before, and at that instant.</summary>
    private void AssertStallDueAt(StallDetector detector, JobState job, double seconds)
    {
        _clock.SetUtcNow(T0.AddSeconds(seconds) - Tick);
        Assert.False(detector.ShouldRaise(job), $"stall raised one tick before {seconds} s");
        _clock.SetUtcNow(T0.AddSeconds(seconds));
        Assert.True(detector.ShouldRaise(job), $"stall not raised at {seconds} s");
        Assert.Equal(T0.AddSeconds(seconds), detector.DueAt(job));
    }

    [Fact]
    public void Stall_is_raised_at_exactly_the_threshold_and_not_one_tick_before()
    {
        var detector = new StallDetector(_clock);
        var job = Running(_job.Heartbeat(5, cpu: 0, progress: 0.1), _job.Progress(5, 0.1));

        AssertStallDueAt(detector, job, 15);
    }

    [Fact]
    public void Cpu_growth_counts_as_progress_for_a_job_that_never_reports_progress()
    {
        var detector = new StallDetector(_clock);
        var job = Running(_job.Heartbeat(8, cpu: 2.5), _job.Heartbeat(9, cpu: 2.5));

        AssertStallDueAt(detector, job, 18);
    }

    [Fact]
    public void Read_or_write_growth_counts_as_progress_for_a_silent_job_that_uses_no_cpu()
    {
        var detector = new StallDetector(_clock);
        var job = Running(
            _job.Heartbeat(1, cpu: 0.5, readBytes: 100, writeBytes: 100, state: "D"),
            _job.Heartbeat(9, cpu: 0.5, readBytes: 4196, writeBytes: 100, state: "D"),
            _job.Heartbeat(17, cpu: 0.5, readBytes: 4196, writeBytes: 9000, state: "S"),
            _job.Heartbeat(20, cpu: 0.5, readBytes: 4196, writeBytes: 9000, state: "S"));

        Assert.Equal(T0.AddSeconds(17), job.LastActivityAt);
        AssertStallDueAt(detector, job, 27);
    }

    [Fact]
    public void Counters_that_fall_belong_to_a_new_process_and_are_not_progress()
    {
        var detector = new StallDetector(_clock);
        var job = Running(_job.Heartbeat(2, cpu: 40, readBytes: 1 << 20, writeBytes: 1 << 20), _job.Heartbeat(3, cpu: 1, readBytes: 10, writeBytes: 10));

        Assert.Equal(T0.AddSeconds(2), job.LastActivityAt);
        AssertStallDueAt(detector, job, 12);
    }

    [Fact]
    public void Cpu_growth_does_not_hide_a_stall_of_a_job_that_reports_progress()
    {
        var detector = new StallDetector(_clock);
        var job = Running(_job.Heartbeat(1, cpu: 1, progress: 0.2), _job.Progress(1, 0.2),
            _job.Heartbeat(9, cpu: 9, progress: 0.2, readBytes: 1 << 30, writeBytes: 1 << 30));

        AssertStallDueAt(detector, job, 11);
    }

    [Fact]
    public void A_stopped_process_is_stalled_at_exactly_the_threshold_after_its_last_sign_of_work()
    {
        var detector = new StallDetector(_clock);
        // It worked up to the sample at 4 s, then SIGSTOP froze it: state T, counters still.
        var silent = Running(_job.Heartbeat(2, cpu: 1, readBytes: 10), _job.Heartbeat(4, cpu: 1.5, readBytes: 20),
            _job.Heartbeat(6, cpu: 1.5, readBytes: 20, state: "T"), _job.Heartbeat(8, cpu: 1.5, readBytes: 20, state: "T"));
        var reporting = Running(_job.Heartbeat(3, cpu: 1, progress: 0.3), _job.Progress(3, 0.3),
            _job.Heartbeat(5, cpu: 1, progress: 0.3, state: "T"), _job.Heartbeat(7, cpu: 1, progress: 0.3, state: "T"));

        Assert.True(silent.IsProcessStopped);
        Assert.True(reporting.IsProcessStopped);
        AssertStallDueAt(detector, reporting, 13);
        AssertStallDueAt(detector, silent, 14);
    }

    [Fact]
    public void A_job_that_sleeps_by_design_between_reports_is_not_stalled_while_its_sleeps_stay_within_its_threshold()
    {
        var detector = new StallDetector(_clock);
        var job = RunningWith(JobEvents.Spec(TimeSpan.FromSeconds(40)));

        // Reports every 30 s and sleeps in between (state S, no CPU, no I/O), watched every second.
        for (var report = 1; report <= 5; report++)
        {
            for (var second = (report - 1) * 30 + 1; second < report * 30; second++)
            {
                job.Apply(_job.Heartbeat(second, cpu: 0.1, progress: report == 1 ? null : (report - 1) / 10.0, state: "S"));
                ClockAt(second);
                Assert.False(detector.ShouldRaise(job), $"stalled at {second} s while sleeping by design");
            }
            job.Apply(_job.Heartbeat(report * 30, cpu: 0.1, progress: report / 10.0, state: "S"));
            job.Apply(_job.Progress(report * 30, report / 10.0));
        }

        // The report due at 180 s never comes: stalled 40 s after the last one, at 190 s.
        AssertStallDueAt(detector, job, 190);
    }

    [Fact]
    public void A_stall_is_raised_once_per_episode_and_progress_starts_a_new_clock()
    {
        var detector = new StallDetector(_clock);
        var job = Running(_job.Progress(1, 0.2));
        ClockAt(11);
        Assert.True(detector.ShouldRaise(job));

        job.Apply(_job.Stalled(11, Guid.NewGuid(), sinceSeconds: 1));
        ClockAt(40);
        Assert.False(detector.ShouldRaise(job));
        Assert.Null(detector.DueAt(job));

        job.Apply(_job.Progress(40, 0.3));
        Assert.False(job.IsStalled);
        AssertStallDueAt(detector, job, 50);
    }

    [Fact]
    public void Progress_that_does_not_increase_does_not_reset_the_clock()
    {
        var detector = new StallDetector(_clock);
        var job = Running(_job.Progress(1, 0.5), _job.Progress(9, 0.5, "same value, new message"));

        AssertStallDueAt(detector, job, 11);
    }

    [Fact]
    public void Jobs_that_are_not_running_never_stall()
    {
        var detector = new StallDetector(_clock);
        var queued = new JobState();
        queued.Apply(_job.Submitted());
        var stopped = Running(_job.KillRequested(2), _job.Exited(3, null, 9, "killed on request"));

        ClockAt(3600);
        Assert.False(detector.ShouldRaise(queued));
        Assert.False(detector.ShouldRaise(stopped));
        Assert.Null(stopped.ProcessState);
    }

    [Fact]
    public void Silence_from_before_the_grain_listened_does_not_count()
    {
        // The job's grain wakes at 100 s (its silo was killed) with the last activity it stored, from 5 s.
        var job = Running(_job.Progress(5, 0.1));
        ClockAt(100);
        var detector = new StallDetector(_clock);

        Assert.False(detector.ShouldRaise(job), "a stall raised for silence nobody was listening to");
        AssertStallDueAt(detector, job, 110);
    }

    [Fact]
    public void Heartbeats_past_the_threshold_that_show_no_activity_stall_the_job_as_soon_as_a_new_grain_hears_them()
    {
        // Progress stopped at 5 s; the grain woke at 100 s (its silo was killed), then heard the heartbeats the dead silo held.
        var job = Running(_job.Progress(5, 0.1), _job.Heartbeat(10, cpu: 1, progress: 0.1), _job.Heartbeat(16, cpu: 1, progress: 0.1));
        ClockAt(100);
        var detector = new StallDetector(_clock, new Hearing { Since = null });

        Assert.True(detector.ShouldRaise(job));
        Assert.Equal(T0.AddSeconds(15), detector.DueAt(job));
    }

    [Fact]
    public void No_stall_is_told_from_silence_while_the_platform_cannot_hear_its_agents()
    {
        var hearing = new Hearing { Since = null, Allowance = TimeSpan.FromSeconds(20) };
        var detector = new StallDetector(_clock, hearing);
        var job = Running(_job.Progress(5, 0.1));

        ClockAt(60);
        Assert.False(detector.ShouldRaise(job));
        Assert.Null(detector.DueAt(job));

        // Heard again at 60 s: agents get their reconnect allowance (20 s), then the job its threshold (10 s).
        hearing.Since = T0.AddSeconds(60);
        AssertStallDueAt(detector, job, 90);
    }

    [Fact]
    public void A_job_heard_since_the_platform_heard_again_counts_its_own_silence()
    {
        var hearing = new Hearing { Since = T0.AddSeconds(2), Allowance = TimeSpan.FromSeconds(20) };
        var detector = new StallDetector(_clock, hearing);
        var job = Running(_job.Progress(5, 0.1));

        AssertStallDueAt(detector, job, 15);
    }

    private sealed class Hearing : Caas.Monitoring.Grains.Nodes.IPlatformHearing
    {
        public DateTimeOffset? Since { get; set; }
        public TimeSpan Allowance { get; init; }
        public DateTimeOffset? HearingSince => Since;
        public TimeSpan ReconnectAllowance => Allowance;
    }
}
