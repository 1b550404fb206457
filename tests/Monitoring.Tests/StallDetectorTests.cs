using Caas.Contracts.Events;
using Caas.Monitoring.Grains;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class StallDetectorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly JobEvents _job = new("job-00000000aa", T0);

    private JobState Running(params IJobEvent[] more)
    {
        var state = new JobState();
        foreach (var e in new IJobEvent[] { _job.Submitted(), _job.Placed(), _job.Started() }.Concat(more))
            state.Apply(e);
        return state;
    }

    private void ClockAt(double seconds) => _clock.SetUtcNow(T0.AddSeconds(seconds));

    [Fact]
    public void Stall_is_raised_only_once_the_threshold_has_passed()
    {
        var detector = new StallDetector(_clock);
        var job = Running(_job.Heartbeat(5, cpu: 0, progress: 0.1), _job.Progress(5, 0.1));

        ClockAt(15);
        Assert.False(detector.ShouldRaise(job));
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(detector.ShouldRaise(job));
    }

    [Fact]
    public void Cpu_growth_counts_as_progress_for_a_job_that_never_reports_progress()
    {
        var detector = new StallDetector(_clock);
        var job = Running(_job.Heartbeat(8, cpu: 2.5), _job.Heartbeat(9, cpu: 2.5));

        ClockAt(18);
        Assert.False(detector.ShouldRaise(job));
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(detector.ShouldRaise(job));
    }

    [Fact]
    public void Cpu_growth_does_not_hide_a_stall_of_a_job_that_reports_progress()
    {
        var detector = new StallDetector(_clock);
        var job = Running(_job.Heartbeat(1, cpu: 1, progress: 0.2), _job.Progress(1, 0.2), _job.Heartbeat(9, cpu: 9, progress: 0.2));

        ClockAt(11.5);
        Assert.True(detector.ShouldRaise(job));
    }

    [Fact]
    public void A_stall_is_raised_once_per_episode_and_progress_starts_a_new_clock()
    {
        var detector = new StallDetector(_clock);
        var job = Running(_job.Progress(1, 0.2));
        ClockAt(12);
        Assert.True(detector.ShouldRaise(job));

        job.Apply(_job.Stalled(12, Guid.NewGuid(), sinceSeconds: 1));
        ClockAt(40);
        Assert.False(detector.ShouldRaise(job));

        job.Apply(_job.Progress(40, 0.3));
        Assert.False(job.IsStalled);
        ClockAt(50);
        Assert.False(detector.ShouldRaise(job));
        ClockAt(50.001);
        Assert.True(detector.ShouldRaise(job));
    }

    [Fact]
    public void Progress_that_does_not_increase_does_not_reset_the_clock()
    {
        var detector = new StallDetector(_clock);
        var job = Running(_job.Progress(1, 0.5), _job.Progress(9, 0.5, "same value, new message"));

        ClockAt(11.001);
        Assert.True(detector.ShouldRaise(job));
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
    }
}
