using System.Diagnostics;
using Caas.Capture.Engine.Proc;

namespace Caas.Capture.Tests;

[Trait("Category", "Unit")]
public sealed class ProcSamplerTests
{
    private readonly ProcSampler _sampler = new();

    [Fact]
    public void Samples_the_test_process_itself()
    {
        using var self = Process.GetCurrentProcess();
        var sample = _sampler.Sample(Environment.ProcessId)!;

        Assert.Equal(Environment.ProcessId, sample.RootPid);
        Assert.Contains(sample.State, "RS");
        self.Refresh();
        Assert.InRange(sample.RssBytes, self.WorkingSet64 / 2, self.WorkingSet64 * 2);
        Assert.InRange(sample.Threads, 2, self.Threads.Count + 50);
        Assert.InRange(sample.CpuSeconds, self.TotalProcessorTime.TotalSeconds - 0.05, self.TotalProcessorTime.TotalSeconds + 5);
    }

    [Fact]
    public void Counts_cpu_time_and_io_as_they_grow()
    {
        var before = _sampler.Sample(Environment.ProcessId)!;
        // Spin until the kernel has charged us 0.3 s of CPU (wall time says nothing on a loaded machine).
        var self = Process.GetCurrentProcess();
        var cpuAtStart = self.TotalProcessorTime;
        var limit = Stopwatch.StartNew();
        while (self.TotalProcessorTime - cpuAtStart < TimeSpan.FromMilliseconds(300) && limit.Elapsed < TimeSpan.FromSeconds(30))
            self.Refresh();
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(file, new byte[1 << 20]);
            _ = File.ReadAllBytes(file);
        }
        finally
        {
            File.Delete(file);
        }
        var after = _sampler.Sample(Environment.ProcessId)!;

        Assert.True(after.CpuSeconds - before.CpuSeconds >= 0.2, $"cpu grew {after.CpuSeconds - before.CpuSeconds} s");
        Assert.True(after.WriteBytes - before.WriteBytes >= 1 << 20, $"wrote {after.WriteBytes - before.WriteBytes} bytes");
        Assert.True(after.ReadBytes - before.ReadBytes >= 1 << 20, $"read {after.ReadBytes - before.ReadBytes} bytes");
    }

    [Fact]
    public async Task Includes_child_processes_in_the_tree()
    {
        using var child = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "sleep 30 & sleep 30; wait"]))!;
        try
        {
            var sample = await Eventually.Get(() => _sampler.Sample(child.Id), s => s.Processes == 3 && s.State == 'S', TimeSpan.FromSeconds(5), "sh waiting on two sleeps");
            Assert.Equal(child.Id, sample.RootPid);
            Assert.Equal(3, sample.Threads);
        }
        finally
        {
            child.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void A_vanished_process_gives_no_sample_instead_of_an_error()
    {
        using var child = Process.Start(new ProcessStartInfo("/bin/true"))!;
        child.WaitForExit();

        Assert.Null(_sampler.Sample(child.Id));
    }

    [Fact]
    public void Parses_stat_lines_whose_command_holds_spaces_and_parentheses()
    {
        var stat = ProcStat.Parse(42, "42 (my (odd) job) S 7 42 42 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 3 0 123456 1000000 300 18446744073709551615");

        Assert.Equal(new ProcStat(42, 'S', 7, 250, 50, 3, 123456, 300), stat);
    }

    [Fact]
    public void Reads_major_faults_and_block_io_delay_for_the_starvation_causes()
    {
        // Fields 3..52 of a Linux 6 stat line: majflt (12) is 17, delayacct_blkio_ticks (42) is 33.
        var line = "42 (job) D 7 42 42 0 -1 4194304 100 0 17 0 250 50 0 0 20 0 3 0 123456 1000000 300 "
            + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 33 0 0 0 0 0 0 0 0 0 0";

        var stat = ProcStat.Parse(42, line);

        Assert.Equal((17UL, 33UL), (stat!.MajorFaults, stat.BlockIoDelayTicks));
    }
}
