using System.Diagnostics;
using Caas.Capture.Engine.Proc;

namespace Caas.Capture.Tests;

/// <summary>A real CPU hog in a real cgroup v1 with a CPU quota (root, as in CI): the throttling the starvation detector names as its cause.</summary>
[Trait("Category", "EndToEnd")]
public sealed class CpuCgroupTests : IDisposable
{
    private readonly string _cgroup = $"/sys/fs/cgroup/cpu/caas-test-{Guid.NewGuid():N}";
    private Process? _hog;

    [Fact]
    public async Task The_sampler_reports_how_long_a_quota_throttled_the_job()
    {
        Directory.CreateDirectory(_cgroup);
        File.WriteAllText(Path.Join(_cgroup, "cpu.cfs_period_us"), "100000");
        File.WriteAllText(Path.Join(_cgroup, "cpu.cfs_quota_us"), "10000");
        _hog = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "while :; do :; done"]))!;
        File.WriteAllText(Path.Join(_cgroup, "cgroup.procs"), _hog.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var before = new ProcSampler().Sample(_hog.Id)!;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var after = new ProcSampler().Sample(_hog.Id)!;

        // A tenth of a CPU: the hog waits out about 90 ms of every 100 ms period.
        Assert.NotNull(before.CpuThrottledSeconds);
        Assert.InRange(after.CpuThrottledSeconds!.Value - before.CpuThrottledSeconds.Value, 0.5, 1.6);
        Assert.InRange(after.CpuSeconds - before.CpuSeconds, 0.05, 0.4);
    }

    public void Dispose()
    {
        if (_hog is not null)
        {
            _hog.Kill();
            _hog.WaitForExit();
            _hog.Dispose();
        }
        if (Directory.Exists(_cgroup))
            Directory.Delete(_cgroup);
    }
}
