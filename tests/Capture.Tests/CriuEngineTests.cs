using Caas.Contracts.Jobs;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Progress;

namespace Caas.Capture.Tests;

/// <summary>The CRIU engine with the real shim, real CRIU and the real counter workload.</summary>
[Trait("Category", "EndToEnd")]
public sealed class CriuEngineTests : RealEngineTest
{
    private JobLaunchRequest Counter(string jobId) => new()
    {
        JobId = jobId,
        StateDirectory = Scratch.Combine("jobs", jobId),
        Executable = NativeBinaries.Counter,
        Args = ["--target", "1000000", "--rate", "50"],
        Environment = new Dictionary<string, string>
        {
            ["CAAS_JOB_ID"] = jobId,
            ["CAAS_PROGRESS_SOCKET"] = Channel.SocketPath!,
        },
        WorkingDirectory = Scratch.Path,
    };

    private Task<JobProgress> ProgressAbove(string jobId, double floor, string what) =>
        Eventually.Get(() => Channel.Get(jobId), p => p.Fraction > floor, TimeSpan.FromSeconds(15), what);

    [Fact]
    public async Task Probe_finds_a_usable_criu_4_2()
    {
        var probe = await Engine.ProbeAsync();

        Assert.True(probe.Usable, probe.Problem);
        Assert.StartsWith("criu 4.2", probe.Version);
        Assert.Null(probe.Problem);
    }

    [Fact]
    public async Task A_restored_job_continues_from_its_checkpoint_not_from_zero_nor_from_where_it_was_killed()
    {
        var jobId = JobIds.New();
        var job = await Engine.LaunchAsync(Counter(jobId));
        Started.Add(job);
        Assert.True(Engine.IsRunning(job));
        await ProgressAbove(jobId, 0.00002, "progress from the launched counter");

        await Channel.FlushAsync();
        var atCheckpoint = Channel.Get(jobId)!.Fraction!.Value;
        var images = Scratch.Combine("checkpoint", "images");
        var timings = await Engine.CheckpointAsync(job, images, leaveRunning: true);
        Assert.True(timings.AppPause > TimeSpan.Zero && timings.AppPause <= timings.Dump, $"{timings}");
        Assert.True(File.Exists(Path.Combine(images, "pages-1.img")) || Directory.GetFiles(images, "pages-*.img").Length > 0);
        Assert.True(Engine.IsRunning(job), "a leave-running checkpoint keeps the job running");

        // Let it run on well past the checkpoint, then kill it.
        var beforeKill = await ProgressAbove(jobId, atCheckpoint + 0.00005, "progress after the checkpoint");
        Assert.True(Engine.Kill(job));
        var exit = await Eventually.Get(() => Engine.ReadExit(job.StateDirectory), _ => true, TimeSpan.FromSeconds(10), "the killed job's exit status");
        Assert.Equal(new JobExitStatus(null, 9, null), exit);
        Assert.False(Engine.IsRunning(job));
        Assert.False(Engine.Kill(job), "a second kill finds nothing to kill");

        await Channel.FlushAsync();
        Channel.Reset(jobId);
        var restored = await Engine.RestoreAsync(jobId, job.StateDirectory, images);
        Started.Add(restored);
        Assert.True(Engine.IsRunning(restored));
        Assert.Null(Engine.ReadExit(restored.StateDirectory));

        var first = await Eventually.Get(() => Channel.Get(jobId), p => p.Fraction is not null, TimeSpan.FromSeconds(15), "progress from the restored counter");
        Assert.InRange(first.Fraction!.Value, atCheckpoint, beforeKill.Fraction!.Value - 0.00001);
        await ProgressAbove(jobId, first.Fraction.Value, "the restored counter counting on");
    }

    [Fact]
    public async Task Stopping_checkpoint_ends_the_job_and_says_so_in_its_exit_status()
    {
        var jobId = JobIds.New();
        var job = await Engine.LaunchAsync(Counter(jobId));
        Started.Add(job);
        await ProgressAbove(jobId, 0, "progress from the launched counter");

        await Engine.CheckpointAsync(job, Scratch.Combine("stop", "images"), leaveRunning: false);

        Assert.False(Engine.IsRunning(job));
        Assert.Equal(JobExitStatus.StoppedByCheckpoint, await Eventually.Get(() => Engine.ReadExit(job.StateDirectory), _ => true, TimeSpan.FromSeconds(10), "exit status"));
    }

    [Fact]
    public async Task A_job_runs_with_its_arguments_and_exit_code_in_its_working_directory()
    {
        var jobId = JobIds.New();
        var job = await Engine.LaunchAsync(new JobLaunchRequest
        {
            JobId = jobId,
            StateDirectory = Scratch.Combine("jobs", jobId),
            Executable = "/bin/sh",
            Args = ["-c", "pwd > where; echo \"$GREETING\" >> where; exit 7"],
            Environment = new Dictionary<string, string> { ["GREETING"] = "hello" },
            WorkingDirectory = Scratch.Path,
        });

        var exit = await Eventually.Get(() => Engine.ReadExit(job.StateDirectory), _ => true, TimeSpan.FromSeconds(10), "exit status");
        Assert.Equal(new JobExitStatus(7, null, null), exit);
        Assert.Equal($"{Scratch.Path}\nhello\n", await File.ReadAllTextAsync(Scratch.Combine("where")));
    }

    [Fact]
    public async Task Launching_a_missing_executable_fails_with_a_clear_reason()
    {
        var jobId = JobIds.New();
        var failure = await Assert.ThrowsAsync<CheckpointEngineException>(() => Engine.LaunchAsync(Counter(jobId) with { Executable = "/nonexistent/program" }));

        Assert.StartsWith("cannot launch /nonexistent/program: ", failure.Message);
        Assert.Contains("/nonexistent/program", failure.Message["cannot launch /nonexistent/program: ".Length..]);
        Assert.False(File.Exists(Scratch.Combine("jobs", jobId, "pid")));
    }

    [Fact]
    public async Task A_checkpoint_of_a_job_that_is_gone_is_refused_before_criu_runs()
    {
        var gone = new JobHandle(JobIds.New(), Scratch.Combine("nothing"), int.MaxValue - 1, 1);

        var failure = await Assert.ThrowsAsync<CheckpointEngineException>(() => Engine.CheckpointAsync(gone, Scratch.Combine("images"), leaveRunning: true));
        Assert.Equal($"job {gone.JobId} is not running (PID {gone.Pid} is gone)", failure.Message);
        Assert.False(Directory.Exists(Scratch.Combine("images")));
    }
}
