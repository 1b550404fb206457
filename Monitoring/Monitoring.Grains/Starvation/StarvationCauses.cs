using System.Globalization;
using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Grains.Starvation;

/// <summary>
/// Names what most likely took a starved job's pace, from what its node sampled over the window, in the order that
/// separates causes best: a cgroup quota's throttling is certain evidence; memory pressure (major faults, swap) and
/// I/O wait explain a slowdown even when CPU use falls with it; CPU use far below the job's usual means others took
/// the cores. A job that used its usual CPU yet went slower is slower by itself.
/// </summary>
public static class StarvationCauses
{
    private const double ThrottledShare = 0.05;
    private const double MajorFaultsPerSecond = 50;
    private const double IoWaitShare = 0.2;
    private const double CpuShareOfUsual = 0.6;

    public static (StarvationCause Cause, string Detail) Classify(JobPace pace, PacePoint from, PacePoint to)
    {
        ArgumentNullException.ThrowIfNull(pace);
        var seconds = Math.Max((to.At - from.At).TotalSeconds, 1e-3);
        var cpuRate = (to.CpuSeconds - from.CpuSeconds) / seconds;
        var usualCpu = pace.BaselineCpuRate ?? 0;
        var cpu = Text($"it got {cpuRate:0.00} CPU-seconds per second, usually {usualCpu:0.00}");

        if (to.CpuThrottledSeconds - from.CpuThrottledSeconds is { } throttled && throttled / seconds >= ThrottledShare)
            return (StarvationCause.Cpu, Text($"its cgroup's CPU quota throttled it {throttled / seconds * 100:0} % of the time; ") + cpu);

        var faultRate = (to.MajorFaults - from.MajorFaults) / seconds;
        var swapGrowth = to.SwapBytes - from.SwapBytes;
        if (faultRate >= MajorFaultsPerSecond || swapGrowth > 0)
            return (StarvationCause.Memory, Text($"memory pressure: {faultRate:0} major page faults per second, {MiB(to.SwapBytes)} MiB swapped out")
                + (swapGrowth > 0 ? Text($" (+{MiB(swapGrowth)} MiB in the window)") : ""));

        var points = pace.Since(from.At).ToList();
        var ioShare = to.IoWaitSeconds - from.IoWaitSeconds is { } ioWait
            ? ioWait / seconds
            : points.Count == 0 ? 0 : points.Count(p => p.State == "D") / (double)points.Count;
        if (ioShare >= IoWaitShare)
            return (StarvationCause.Io, Text($"waiting for disk I/O {ioShare * 100:0} % of the time; ") + cpu);

        if (usualCpu > 0 && cpuRate < usualCpu * CpuShareOfUsual)
            return (StarvationCause.Cpu, cpu + ": other work competes for the cores");

        return (StarvationCause.Unknown, cpu + ", yet it progressed slower: the slowdown is in the job itself");
    }

    private static string MiB(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture);

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
