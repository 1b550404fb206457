using Caas.Capture.Engine;
using Caas.Contracts.Jobs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Tests;

/// <summary>
/// Real jobs with and without a memory limit (root and the cgroup v1 memory hierarchy, as in CI): the kernel's OOM
/// killer ends one over its limit, and the engine tells that SIGKILL apart from any other.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class MemoryLimitTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly string _cgroupRoot = $"/sys/fs/cgroup/memory/caas-test-{Guid.NewGuid():N}";
    private readonly CriuEngine _engine;
    private readonly List<JobHandle> _started = [];

    public MemoryLimitTests() => _engine = new CriuEngine(
        Options.Create(new CaptureOptions { ShimPath = NativeBinaries.Shim, CriuPath = NativeBinaries.Criu, MemoryCgroupRoot = _cgroupRoot }),
        NullLogger<CriuEngine>.Instance);

    private JobLaunchRequest Memhog(string jobId, int mib, long? limitBytes) => new()
    {
        JobId = jobId,
        StateDirectory = _directory.Combine("jobs", jobId),
        Executable = NativeBinaries.Memhog,
        Args = ["--mib", mib.ToString(System.Globalization.CultureInfo.InvariantCulture)],
        WorkingDirectory = _directory.Path,
        MemoryLimitBytes = limitBytes,
    };

    [Fact]
    public async Task A_job_over_its_limit_is_killed_by_the_OOM_killer_and_the_engine_says_so()
    {
        var jobId = JobIds.New();
        var job = await _engine.LaunchAsync(Memhog(jobId, mib: 128, limitBytes: 32L << 20));
        _started.Add(job);

        var exit = await Eventually.Get(() => _engine.ReadExit(job.StateDirectory), _ => true, TimeSpan.FromSeconds(20), "exit status");

        Assert.Equal(new JobExitStatus(null, 9, null), exit);
        Assert.True(_engine.WasOutOfMemory(jobId));
        Assert.Equal((32L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
            File.ReadAllText(Path.Join(_cgroupRoot, jobId, "memory.limit_in_bytes")).Trim());
        _engine.ReleaseLimits(jobId);
        Assert.False(Directory.Exists(Path.Join(_cgroupRoot, jobId)));
    }

    [Fact]
    public async Task A_job_killed_by_someone_else_was_not_out_of_memory()
    {
        var jobId = JobIds.New();
        var job = await _engine.LaunchAsync(Memhog(jobId, mib: 8, limitBytes: 64L << 20));
        _started.Add(job);
        var unlimitedId = JobIds.New();
        var unlimited = await _engine.LaunchAsync(Memhog(unlimitedId, mib: 8, limitBytes: null));
        _started.Add(unlimited);

        Assert.True(_engine.Kill(job));
        Assert.True(_engine.Kill(unlimited));
        Assert.Equal(9, (await Eventually.Get(() => _engine.ReadExit(job.StateDirectory), _ => true, TimeSpan.FromSeconds(10), "exit status"))!.Signal);
        Assert.Equal(9, (await Eventually.Get(() => _engine.ReadExit(unlimited.StateDirectory), _ => true, TimeSpan.FromSeconds(10), "exit status"))!.Signal);

        Assert.False(_engine.WasOutOfMemory(jobId));
        Assert.False(_engine.WasOutOfMemory(unlimitedId));
        Assert.False(Directory.Exists(Path.Join(_cgroupRoot, unlimitedId)));
    }

    public void Dispose()
    {
        foreach (var job in _started)
        {
            _engine.Kill(job);
            _engine.ReleaseLimits(job.JobId);
        }
        if (Directory.Exists(_cgroupRoot))
            Directory.Delete(_cgroupRoot);
        _directory.Dispose();
    }
}
