using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Monitoring.Grains;
using Caas.Monitoring.Grains.Starvation;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Monitoring.Tests;

/// <summary>
/// A job with a 10 s starvation window heartbeats once a second. It makes 0.001 of its work per second on one full
/// CPU for 20 s (two windows learned), then whatever each test does to it.
/// </summary>
[Trait("Category", "Unit")]
public sealed class StarvationDetectorTests
{
    private const double UsualRate = 0.001;
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly JobEvents _job = new("job-00000000bb", T0);
    private readonly JobState _state = new();
    private readonly StarvationDetector _detector;

    private double _progress, _cpu, _throttled;
    private long _majorFaults, _swap;

    public StarvationDetectorTests() => _detector = new StarvationDetector(_clock);

    private static JobSpec Spec(double windowSeconds = 10, double ratio = 0.25) => JobEvents.Spec(TimeSpan.FromMinutes(10)) with
    {
        StarvationWindow = TimeSpan.FromSeconds(windowSeconds),
        StarvationRatio = ratio,
    };

    private void Start(JobSpec? spec = null)
    {
        foreach (var e in new IJobEvent[] { _job.Submitted(spec: spec ?? Spec()), _job.Placed(), _job.Started() })
            _state.Apply(e);
    }

    /// <summary>Heartbeats from second <paramref name="from"/> to <paramref name="to"/> at the given pace, the clock following.</summary>
    private void Run(int from, int to, double rate = UsualRate, double cpuPerSecond = 1.0, double throttledPerSecond = 0,
        long faultsPerSecond = 0, long swapPerSecond = 0, string state = "R")
    {
        for (var s = from; s <= to; s++)
        {
            if (s > from || from > 0)
            {
                _progress += rate;
                _cpu += cpuPerSecond;
                _throttled += throttledPerSecond;
                _majorFaults += faultsPerSecond;
                _swap += swapPerSecond;
            }
            _state.Apply(Beat(s, state));
            _clock.SetUtcNow(_job.At(s));
        }
    }

    private HeartbeatRecorded Beat(int second, string state) => new(_job.JobId, "node-1", new JobSample
    {
        JobId = _job.JobId, Pid = 4242, State = state, CpuSeconds = _cpu, Progress = _progress,
        CpuThrottledSeconds = _throttled, MajorFaults = _majorFaults, SwapBytes = _swap,
    }, _job.At(second));

    /// <summary>Runs one heartbeat at a time until the detector finds starvation; returns the second it did.</summary>
    private (int Second, StarvationFinding Finding)? RunUntilStarved(int from, int to, Action<int> beat)
    {
        for (var s = from; s <= to; s++)
        {
            beat(s);
            if (_detector.Find(_state) is { } finding)
                return (s, finding);
        }
        return null;
    }

    private void Record(StarvationFinding finding, int second) =>
        _state.Apply(new JobStarved(_job.JobId, Guid.NewGuid(), finding.Cause, finding.Detail, finding.Rate, finding.BaselineRate, TimeSpan.FromSeconds(10), _job.At(second)));

    [Fact]
    public void A_job_at_its_usual_pace_is_never_starved()
    {
        Start();
        Assert.Null(RunUntilStarved(0, 120, s => Run(s, s)));
        Assert.True(_state.Pace.HasBaseline);
        Assert.Equal(UsualRate, _state.Pace.BaselineRate!.Value, 6);
    }

    [Fact]
    public void Nothing_is_judged_before_two_windows_are_learned()
    {
        Start();
        // Slow from the start: there is no usual pace yet to be far below.
        Assert.Null(RunUntilStarved(0, 19, s => Run(s, s, rate: UsualRate / 10)));
        Assert.False(_state.Pace.HasBaseline);
    }

    [Fact]
    public void Cpu_quota_throttling_is_found_as_starvation_with_cause_cpu_within_the_window()
    {
        Start();
        Run(0, 20);

        // From second 21 the cgroup quota allows a tenth of a CPU: throttled 90 % of the time.
        var found = RunUntilStarved(21, 40, s => Run(s, s, rate: UsualRate / 10, cpuPerSecond: 0.1, throttledPerSecond: 0.9));

        Assert.NotNull(found);
        var (second, finding) = found.Value;
        // Over a 10 s window the rate falls under a quarter of the usual once 9 of the 10 seconds were slow.
        Assert.Equal(29, second);
        Assert.Equal(StarvationCause.Cpu, finding.Cause);
        // The evidence covers the same window: 9 throttled seconds at 90 % and one normal one.
        Assert.Contains("CPU quota throttled it 81 % of the time", finding.Detail);
        Assert.Equal(UsualRate, finding.BaselineRate, 6);
        Assert.True(finding.Rate < UsualRate * 0.25);
    }

    [Fact]
    public void Cpu_taken_by_other_work_is_cause_cpu_without_throttling()
    {
        Start();
        Run(0, 20);

        var found = RunUntilStarved(21, 40, s => Run(s, s, rate: UsualRate / 10, cpuPerSecond: 0.1));

        Assert.Equal(StarvationCause.Cpu, found!.Value.Finding.Cause);
        Assert.Contains("other work competes for the cores", found.Value.Finding.Detail);
    }

    [Fact]
    public void Major_faults_or_growing_swap_are_cause_memory()
    {
        Start();
        Run(0, 20);

        var found = RunUntilStarved(21, 40, s => Run(s, s, rate: UsualRate / 10, cpuPerSecond: 0.2, faultsPerSecond: 400, swapPerSecond: 1 << 20));

        Assert.Equal(StarvationCause.Memory, found!.Value.Finding.Cause);
        Assert.Contains("360 major page faults per second", found.Value.Finding.Detail);
    }

    [Fact]
    public void Waiting_in_uninterruptible_sleep_is_cause_io()
    {
        Start();
        Run(0, 20);

        var found = RunUntilStarved(21, 40, s => Run(s, s, rate: UsualRate / 10, cpuPerSecond: 0.1, state: "D"));

        Assert.Equal(StarvationCause.Io, found!.Value.Finding.Cause);
    }

    [Fact]
    public void A_job_slower_on_its_usual_cpu_is_cause_unknown()
    {
        Start();
        Run(0, 20);

        var found = RunUntilStarved(21, 40, s => Run(s, s, rate: UsualRate / 10, cpuPerSecond: 1.0));

        Assert.Equal(StarvationCause.Unknown, found!.Value.Finding.Cause);
        Assert.Contains("the slowdown is in the job itself", found.Value.Finding.Detail);
    }

    [Fact]
    public void A_moderate_slowdown_above_the_ratio_is_not_starvation()
    {
        Start();
        Run(0, 20);

        Assert.Null(RunUntilStarved(21, 80, s => Run(s, s, rate: UsualRate * 0.4, cpuPerSecond: 0.4)));
    }

    [Fact]
    public void Starvation_is_raised_once_per_episode_and_slow_windows_are_not_learned()
    {
        Start();
        Run(0, 20);
        var (second, finding) = RunUntilStarved(21, 40, s => Run(s, s, rate: UsualRate / 10, cpuPerSecond: 0.1))!.Value;
        Record(finding, second);

        Run(second + 1, second + 60, rate: UsualRate / 10, cpuPerSecond: 0.1);

        Assert.Null(_detector.Find(_state));
        Assert.Null(_detector.RecoveredRate(_state));
        Assert.Equal(UsualRate, _state.Pace.BaselineRate!.Value, 6);
    }

    [Fact]
    public void The_episode_ends_when_the_job_is_back_above_twice_the_ratio()
    {
        Start();
        Run(0, 20);
        var (second, finding) = RunUntilStarved(21, 40, s => Run(s, s, rate: UsualRate / 10, cpuPerSecond: 0.1))!.Value;
        Record(finding, second);

        int? recoveredAt = null;
        for (var s = second + 1; s <= second + 30 && recoveredAt is null; s++)
        {
            Run(s, s);
            if (_detector.RecoveredRate(_state) is { } rate)
            {
                recoveredAt = s;
                Assert.True(rate >= UsualRate * 0.5);
            }
        }

        // Half the usual pace over the window needs about half a window at full pace again.
        Assert.InRange(recoveredAt!.Value - second, 4, 7);
    }

    [Fact]
    public void A_zero_window_turns_starvation_off()
    {
        Start(Spec(windowSeconds: 0));
        Run(0, 20);

        Assert.Null(RunUntilStarved(21, 60, s => Run(s, s, rate: UsualRate / 10, cpuPerSecond: 0.1)));
        Assert.Null(_state.Pace.Latest);
    }

    [Fact]
    public void Heartbeats_older_than_half_a_window_are_not_judged()
    {
        Start();
        Run(0, 20);
        Run(21, 29, rate: UsualRate / 10, cpuPerSecond: 0.1);

        _clock.SetUtcNow(_job.At(29 + 6));

        Assert.Null(_detector.Find(_state));
    }

    [Fact]
    public void A_restore_measures_the_new_process_afresh_and_keeps_the_baseline()
    {
        Start();
        Run(0, 20);
        var incident = Guid.NewGuid();
        _state.Apply(_job.CheckpointTaken(20, 1, _progress));
        _state.Apply(_job.RestoreRequested(21, incident, 1));
        _state.Apply(_job.Restored(22, incident, 1, node: "node-1"));
        _cpu = 0;

        Assert.Null(_state.Pace.Latest);
        Assert.True(_state.Pace.HasBaseline);
        // The new process's first window must pass before it can be judged, and at its usual pace it is not starved.
        Assert.Null(RunUntilStarved(23, 60, s => Run(s, s)));
    }

    [Fact]
    public void The_spec_validator_refuses_bad_starvation_settings()
    {
        var tooShort = JobSpecValidator.Validate(Spec(windowSeconds: 1));
        var badRatio = JobSpecValidator.Validate(Spec(ratio: 1.5));

        Assert.Contains(tooShort, p => p.Contains("'starvationWindow'"));
        Assert.Contains(badRatio, p => p.Contains("'starvationRatio'"));
        Assert.Empty(JobSpecValidator.Validate(Spec(windowSeconds: 0)));
    }
}
