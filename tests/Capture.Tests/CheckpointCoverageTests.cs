using Caas.Contracts.Jobs;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Progress;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Tests;

/// <summary>
/// What a checkpoint carries, each on a real workload (native/workloads/capture_cases) through the CRIU engine with the
/// real shim and CRIU: process trees, threads, open files and the working directory, pipes, Unix sockets and TCP inside
/// the job. The workload checks its own state at every tick and exits 3 when any of it broke, so "the restored job
/// counts on" means its state came back whole, and getpid() kept its value.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class CheckpointCoverageTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
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
        var workingDirectory = Directory.CreateDirectory(_directory.Combine("work", kind)).FullName;
        var original = await LaunchAsync(jobId, kind, workingDirectory);
        await ProgressAbove(jobId, 3, $"the {kind} case ticking");

        var images = _directory.Combine("images", kind);
        await _engine.CheckpointAsync(original, images, leaveRunning: true);
        await _channel.FlushAsync();
        var atCheckpoint = _channel.Get(jobId)!.Fraction!.Value;
        await ProgressAbove(jobId, Ticks(atCheckpoint) + 3, $"the original {kind} case ticking on after the checkpoint");
        if (kind == "tcp")
            await KillAsync(original);

        var copy = await _engine.RestoreAsync(jobId, _directory.Combine("restored", kind), images);
        _started.Add(copy);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Null(_engine.ReadExit(copy.StateDirectory));
        if (kind != "tcp")
            await KillAsync(original);
        await _channel.FlushAsync();
        _channel.Reset(jobId);

        var first = await Eventually.Get(() => _channel.Get(jobId), p => p.Fraction is not null, Patience, $"progress from the restored {kind} case");
        Assert.True(Ticks(first.Fraction!.Value) >= Ticks(atCheckpoint), $"the copy went back before its checkpoint: tick {Ticks(first.Fraction.Value)} < {Ticks(atCheckpoint)}");
        await ProgressAbove(jobId, Ticks(first.Fraction.Value) + 5, $"the restored {kind} case ticking on");
        Assert.Null(_engine.ReadExit(copy.StateDirectory));
        Assert.True(_engine.IsRunning(copy), $"the restored {kind} case is running");
    }

    /// <summary>A stopping checkpoint (migration, swap-out) ends the job; the restore brings its tree back under the same PIDs.</summary>
    [Theory]
    [InlineData("tree")]
    [InlineData("tcp")]
    public async Task A_job_stopped_by_its_checkpoint_comes_back_whole(string kind)
    {
        var jobId = JobIds.New();
        var workingDirectory = Directory.CreateDirectory(_directory.Combine("work-stop", kind)).FullName;
        var job = await LaunchAsync(jobId, kind, workingDirectory);
        await ProgressAbove(jobId, 3, $"the {kind} case ticking");

        var images = _directory.Combine("images-stop", kind);
        await _engine.CheckpointAsync(job, images, leaveRunning: false);
        Assert.Equal(JobExitStatus.StoppedByCheckpoint, await Eventually.Get(() => _engine.ReadExit(job.StateDirectory), _ => true, Patience, "the stopped job's exit"));
        await _channel.FlushAsync();
        var atCheckpoint = Ticks(_channel.Get(jobId)!.Fraction!.Value);
        _channel.Reset(jobId);

        var restored = await _engine.RestoreAsync(jobId, job.StateDirectory, images);
        _started.Add(restored);

        var first = await Eventually.Get(() => _channel.Get(jobId), p => p.Fraction is not null, Patience, $"progress from the restored {kind} case");
        Assert.True(Ticks(first.Fraction!.Value) > atCheckpoint, $"the restored job started over: tick {Ticks(first.Fraction.Value)} after a checkpoint at {atCheckpoint}");
        await ProgressAbove(jobId, atCheckpoint + 5, $"the restored {kind} case ticking on");
        Assert.Null(_engine.ReadExit(restored.StateDirectory));
    }

    private const long Target = 1_000_000;

    private static long Ticks(double fraction) => (long)Math.Round(fraction * Target);

    private async Task<JobHandle> LaunchAsync(string jobId, string kind, string workingDirectory)
    {
        var job = await _engine.LaunchAsync(new JobLaunchRequest
        {
            JobId = jobId,
            StateDirectory = _directory.Combine("jobs", jobId),
            Executable = NativeBinaries.CaptureCases,
            Args = ["--case", kind, "--target", Target.ToString(System.Globalization.CultureInfo.InvariantCulture), "--rate", "20"],
            Environment = new Dictionary<string, string> { ["CAAS_JOB_ID"] = jobId, ["CAAS_PROGRESS_SOCKET"] = _channel.SocketPath! },
            WorkingDirectory = workingDirectory,
        });
        _started.Add(job);
        return job;
    }

    private async Task KillAsync(JobHandle job)
    {
        Assert.True(_engine.Kill(job));
        await Eventually.Get(() => _engine.ReadExit(job.StateDirectory), _ => true, Patience, "the killed job's exit");
    }

    private async Task ProgressAbove(string jobId, long ticks, string what)
    {
        try
        {
            await Eventually.Get(() => _channel.Get(jobId), p => p.Fraction is { } f && Ticks(f) > ticks, Patience, what);
        }
        catch (TimeoutException)
        {
            // Say why: the workload names what broke on its stderr before it exits 3.
            var errors = Directory.GetFiles(_directory.Path, "stderr.log", SearchOption.AllDirectories).Select(f => $"{f}: {File.ReadAllText(f)}");
            throw new TimeoutException($"{what}: no progress past tick {ticks}. {string.Join(" ", errors)}");
        }
    }
}
