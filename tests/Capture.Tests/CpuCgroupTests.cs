using System.Diagnostics;
using System.Globalization;
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
        File.WriteAllText(Path.Join(_cgroup, "cgroup.procs"), _hog.Id.ToString(CultureInfo.InvariantCulture));

        var start = new ProcSampler().Sample(_hog.Id)!;
        Assert.NotNull(start.CpuThrottledSeconds);
        var clock = Stopwatch.StartNew();

        // The hog is throttled only once it has used its 10 ms of a period; on a machine busy with other
        // tests it may get less than that for a while, so wait for the kernel to count some throttling
        // rather than expect a fixed amount after a fixed time.
        double throttled;
        ProcessTreeSample sample;
        do
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            var kernelBefore = KernelThrottledSeconds();
            sample = new ProcSampler().Sample(_hog.Id)!;
            var kernelAfter = KernelThrottledSeconds();
            // What the sampler reports is the cgroup's own count, read between two reads of it.
            Assert.InRange(sample.CpuThrottledSeconds!.Value, kernelBefore, kernelAfter);
            throttled = sample.CpuThrottledSeconds.Value - start.CpuThrottledSeconds.Value;
        }
        while (throttled < 0.3 && clock.Elapsed < TimeSpan.FromSeconds(20));

        Assert.True(throttled >= 0.3, $"the kernel counted only {throttled:F2} s of throttling in {clock.Elapsed.TotalSeconds:F1} s");
        // A tenth of a CPU: the quota holds the hog to about 10% of the wall clock, however long that took.
        var cpuShare = (sample.CpuSeconds - start.CpuSeconds) / clock.Elapsed.TotalSeconds;
        Assert.InRange(cpuShare, 0.0, 0.2);
    }

    private double KernelThrottledSeconds()
    {
        var line = File.ReadLines(Path.Join(_cgroup, "cpu.stat")).Single(l => l.StartsWith("throttled_time ", StringComparison.Ordinal));
        return long.Parse(line["throttled_time ".Length..], CultureInfo.InvariantCulture) * 1e-9;
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
