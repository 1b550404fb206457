using Caas.Contracts.Jobs;
using Caas.Capture.Engine;

namespace Caas.Capture.Tests;

/// <summary>
/// What a checkpoint carries, each on a real workload (native/workloads/capture_cases) through the CRIU engine with the
/// real shim and CRIU: process trees, threads, open files and the working directory, pipes, Unix sockets and TCP inside
/// the job. The workload checks its own state at every tick and exits 3 when any of it broke, so "the restored job
/// counts on" means its state came back whole, and getpid() kept its value.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class CheckpointCoverageTests : RealEngineTest
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    /// <summary>
    /// A leave-running checkpoint, then a restore of the image while the original still runs (so its PIDs are taken on
    /// this host): the copy counts on from the checkpoint in its own PID namespace. TCP cannot have two copies of one
    /// connection on one address, so there the original is killed before the restore.
    /// </summary>
    [Theory]
    [InlineData("tree")]
    [InlineData("threads")]
    [InlineData("files")]
    [InlineData("pipe")]
    [InlineData("unix")]
    [InlineData("tcp")]
    public async Task A_restored_copy_carries_on_with_its_state_intact(string kind)
    {
        var jobId = JobIds.New();
        var workingDirectory = Directory.CreateDirectory(Scratch.Combine("work", kind)).FullName;
        var original = await LaunchAsync(jobId, kind, workingDirectory);
        await ProgressAbove(jobId, 3, $"the {kind} case ticking");

        var images = Scratch.Combine("images", kind);
        await Engine.CheckpointAsync(original, images, leaveRunning: true);
        await Channel.FlushAsync();
        var atCheckpoint = Channel.Get(jobId)!.Fraction!.Value;
        await ProgressAbove(jobId, Ticks(atCheckpoint) + 3, $"the original {kind} case ticking on after the checkpoint");
        if (kind == "tcp")
            await KillAsync(original);

        var copy = await Engine.RestoreAsync(jobId, Scratch.Combine("restored", kind), images);
        Started.Add(copy);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Null(Engine.ReadExit(copy.StateDirectory));
        if (kind != "tcp")
            await KillAsync(original);
        await Channel.FlushAsync();
        Channel.Reset(jobId);

        var first = await Eventually.Get(() => Channel.Get(jobId), p => p.Fraction is not null, Patience, $"progress from the restored {kind} case");
        Assert.True(Ticks(first.Fraction!.Value) >= Ticks(atCheckpoint), $"the copy went back before its checkpoint: tick {Ticks(first.Fraction.Value)} < {Ticks(atCheckpoint)}");
        await ProgressAbove(jobId, Ticks(first.Fraction.Value) + 5, $"the restored {kind} case ticking on");
        Assert.Null(Engine.ReadExit(copy.StateDirectory));
        Assert.True(Engine.IsRunning(copy), $"the restored {kind} case is running");
    }

    /// <summary>A stopping checkpoint (migration, swap-out) ends the job; the restore brings its tree back under the same PIDs.</summary>
    [Theory]
    [InlineData("tree")]
    [InlineData("tcp")]
    public async Task A_job_stopped_by_its_checkpoint_comes_back_whole(string kind)
    {
        var jobId = JobIds.New();
        var workingDirectory = Directory.CreateDirectory(Scratch.Combine("work-stop", kind)).FullName;
        var job = await LaunchAsync(jobId, kind, workingDirectory);
        await ProgressAbove(jobId, 3, $"the {kind} case ticking");

        var images = Scratch.Combine("images-stop", kind);
        await Engine.CheckpointAsync(job, images, leaveRunning: false);
        Assert.Equal(JobExitStatus.StoppedByCheckpoint, await Eventually.Get(() => Engine.ReadExit(job.StateDirectory), _ => true, Patience, "the stopped job's exit"));
        await Channel.FlushAsync();
        var atCheckpoint = Ticks(Channel.Get(jobId)!.Fraction!.Value);
        Channel.Reset(jobId);

        var restored = await Engine.RestoreAsync(jobId, job.StateDirectory, images);
        Started.Add(restored);

        var first = await Eventually.Get(() => Channel.Get(jobId), p => p.Fraction is not null, Patience, $"progress from the restored {kind} case");
        Assert.True(Ticks(first.Fraction!.Value) > atCheckpoint, $"the restored job started over: tick {Ticks(first.Fraction.Value)} after a checkpoint at {atCheckpoint}");
        await ProgressAbove(jobId, atCheckpoint + 5, $"the restored {kind} case ticking on");
        Assert.Null(Engine.ReadExit(restored.StateDirectory));
    }

    private const long Target = 1_000_000;

    private static long Ticks(double fraction) => (long)Math.Round(fraction * Target);

    private async Task<JobHandle> LaunchAsync(string jobId, string kind, string workingDirectory)
    {
        var job = await Engine.LaunchAsync(new JobLaunchRequest
        {
            JobId = jobId,
            StateDirectory = Scratch.Combine("jobs", jobId),
            Executable = NativeBinaries.CaptureCases,
            Args = ["--case", kind, "--target", Target.ToString(System.Globalization.CultureInfo.InvariantCulture), "--rate", "20"],
            Environment = new Dictionary<string, string> { ["CAAS_JOB_ID"] = jobId, ["CAAS_PROGRESS_SOCKET"] = Channel.SocketPath! },
            WorkingDirectory = workingDirectory,
        });
        Started.Add(job);
        return job;
    }

    private async Task KillAsync(JobHandle job)
    {
        Assert.True(Engine.Kill(job));
        await Eventually.Get(() => Engine.ReadExit(job.StateDirectory), _ => true, Patience, "the killed job's exit");
    }

    private async Task ProgressAbove(string jobId, long ticks, string what)
    {
        try
        {
            await Eventually.Get(() => Channel.Get(jobId), p => p.Fraction is { } f && Ticks(f) > ticks, Patience, what);
        }
        catch (TimeoutException)
        {
            // Say why: the workload names what broke on its stderr before it exits 3.
            var errors = Directory.GetFiles(Scratch.Path, "stderr.log", SearchOption.AllDirectories).Select(f => $"{f}: {File.ReadAllText(f)}");
            throw new TimeoutException($"{what}: no progress past tick {ticks}. {string.Join(" ", errors)}");
        }
    }
}
