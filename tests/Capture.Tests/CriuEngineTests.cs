using Caas.Contracts.Jobs;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Progress;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Tests;

/// <summary>The CRIU engine with the real shim, real CRIU and the real counter workload.</summary>
[Trait("Category", "EndToEnd")]
public sealed class CriuEngineTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _directory = new();
    private readonly ProgressChannel _channel = new(TimeProvider.System, NullLogger<ProgressChannel>.Instance);
    private readonly CriuEngine _engine = new(Options.Create(new CaptureOptions { ShimPath = NativeBinaries.Shim, CriuPath = NativeBinaries.Criu }), NullLogger<CriuEngine>.Instance);
    private readonly List<JobHandle> _started = [];

    public Task InitializeAsync()
    {
        _channel.Bind(_directory.Combine("progress.sock"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var job in _started)
            _engine.Kill(job);
        await _channel.DisposeAsync();
        _directory.Dispose();
    }

    private JobLaunchRequest Counter(string jobId) => new()
    {
        JobId = jobId,
        StateDirectory = _directory.Combine("jobs", jobId),
        Executable = NativeBinaries.Counter,
        Args = ["--target", "1000000", "--rate", "50"],
        Environment = new Dictionary<string, string>
        {
            ["CAAS_JOB_ID"] = jobId,
            ["CAAS_PROGRESS_SOCKET"] = _channel.SocketPath!,
        },
        WorkingDirectory = _directory.Path,
    };

    private Task<JobProgress> ProgressAbove(string jobId, double floor, string what) =>
        Eventually.Get(() => _channel.Get(jobId), p => p.Fraction > floor, TimeSpan.FromSeconds(15), what);

    [Fact]
    public async Task Probe_finds_a_usable_criu_4_2()
    {
        var probe = await _engine.ProbeAsync();

        Assert.True(probe.Usable, probe.Problem);
        Assert.StartsWith("criu 4.2", probe.Version);
        Assert.Null(probe.Problem);
    }

    [Fact]
    public async Task A_restored_job_continues_from_its_checkpoint_not_from_zero_nor_from_where_it_was_killed()
    {
        var jobId = JobIds.New();
        var job = await _engine.LaunchAsync(Counter(jobId));
        _started.Add(job);
        Assert.True(_engine.IsRunning(job));
        await ProgressAbove(jobId, 0.00002, "progress from the launched counter");

        await _channel.FlushAsync();
        var atCheckpoint = _channel.Get(jobId)!.Fraction!.Value;
        var images = _directory.Combine("checkpoint", "images");
        var timings = await _engine.CheckpointAsync(job, images, leaveRunning: true);
        Assert.True(timings.AppPause > TimeSpan.Zero && timings.AppPause <= timings.Dump, $"{timings}");
        Assert.True(File.Exists(Path.Combine(images, "pages-1.img")) || Directory.GetFiles(images, "pages-*.img").Length > 0);
        Assert.True(_engine.IsRunning(job), "a leave-running checkpoint keeps the job running");

        // Let it run on well past the checkpoint, then kill it.
        var beforeKill = await ProgressAbove(jobId, atCheckpoint + 0.00005, "progress after the checkpoint");
        Assert.True(_engine.Kill(job));
        var exit = await Eventually.Get(() => _engine.ReadExit(job.StateDirectory), _ => true, TimeSpan.FromSeconds(10), "the killed job's exit status");
        Assert.Equal(new JobExitStatus(null, 9, null), exit);
        Assert.False(_engine.IsRunning(job));
        Assert.False(_engine.Kill(job), "a second kill finds nothing to kill");

        await _channel.FlushAsync();
        _channel.Reset(jobId);
        var restored = await _engine.RestoreAsync(jobId, job.StateDirectory, images);
        _started.Add(restored);
        Assert.True(_engine.IsRunning(restored));
        Assert.Null(_engine.ReadExit(restored.StateDirectory));

        var first = await Eventually.Get(() => _channel.Get(jobId), p => p.Fraction is not null, TimeSpan.FromSeconds(15), "progress from the restored counter");
        Assert.InRange(first.Fraction!.Value, atCheckpoint, beforeKill.Fraction!.Value - 0.00001);
        await ProgressAbove(jobId, first.Fraction.Value, "the restored counter counting on");
    }

    [Fact]
    public async Task Stopping_checkpoint_ends_the_job_and_says_so_in_its_exit_status()
    {
        var jobId = JobIds.New();
        var job = await _engine.LaunchAsync(Counter(jobId));
        _started.Add(job);
        await ProgressAbove(jobId, 0, "progress from the launched counter");

        await _engine.CheckpointAsync(job, _directory.Combine("stop", "images"), leaveRunning: false);

        Assert.False(_engine.IsRunning(job));
        Assert.Equal(JobExitStatus.StoppedByCheckpoint, await Eventually.Get(() => _engine.ReadExit(job.StateDirectory), _ => true, TimeSpan.FromSeconds(10), "exit status"));
    }

    [Fact]
    public async Task A_job_runs_with_its_arguments_and_exit_code_in_its_working_directory()
    {
        var jobId = JobIds.New();
        var job = await _engine.LaunchAsync(new JobLaunchRequest
        {
            JobId = jobId,
            StateDirectory = _directory.Combine("jobs", jobId),
            Executable = "/bin/sh",
            Args = ["-c", "pwd > where; echo \"$GREETING\" >> where; exit 7"],
            Environment = new Dictionary<string, string> { ["GREETING"] = "hello" },
            WorkingDirectory = _directory.Path,
        });

        var exit = await Eventually.Get(() => _engine.ReadExit(job.StateDirectory), _ => true, TimeSpan.FromSeconds(10), "exit status");
        Assert.Equal(new JobExitStatus(7, null, null), exit);
        Assert.Equal($"{_directory.Path}\nhello\n", await File.ReadAllTextAsync(_directory.Combine("where")));
    }

    [Fact]
    public async Task Launching_a_missing_executable_fails_with_a_clear_reason()
    {
        var jobId = JobIds.New();
        var failure = await Assert.ThrowsAsync<CheckpointEngineException>(() => _engine.LaunchAsync(Counter(jobId) with { Executable = "/nonexistent/program" }));

        Assert.StartsWith("cannot launch /nonexistent/program: ", failure.Message);
        Assert.Contains("/nonexistent/program", failure.Message["cannot launch /nonexistent/program: ".Length..]);
        Assert.False(File.Exists(_directory.Combine("jobs", jobId, "pid")));
    }

    [Fact]
    public async Task A_checkpoint_of_a_job_that_is_gone_is_refused_before_criu_runs()
    {
        var gone = new JobHandle(JobIds.New(), _directory.Combine("nothing"), int.MaxValue - 1, 1);

        var failure = await Assert.ThrowsAsync<CheckpointEngineException>(() => _engine.CheckpointAsync(gone, _directory.Combine("images"), leaveRunning: true));
        Assert.Equal($"job {gone.JobId} is not running (PID {gone.Pid} is gone)", failure.Message);
        Assert.False(Directory.Exists(_directory.Combine("images")));
    }
}
