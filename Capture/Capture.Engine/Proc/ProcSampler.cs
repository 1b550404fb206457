using System.Globalization;

namespace Caas.Capture.Engine.Proc;

/// <summary>
/// Samples a process tree from /proc. Processes come and go while it reads, so every read of a
/// process that vanished is skipped, never thrown.
/// </summary>
public sealed class ProcSampler
{
    /// <returns>Null when the root process is gone.</returns>
    public ProcessTreeSample? Sample(int rootPid) => SampleTrees([rootPid]).GetValueOrDefault(rootPid);

    /// <summary>Samples several trees from one pass over /proc, so a node with many jobs reads each process once per heartbeat.</summary>
    /// <returns>A sample per root that is still there.</returns>
    public IReadOnlyDictionary<int, ProcessTreeSample> SampleTrees(IReadOnlyCollection<int> rootPids)
    {
        var samples = new Dictionary<int, ProcessTreeSample>();
        if (rootPids.Count == 0)
            return samples;
        var children = ChildrenByParent();
        var delayAccounting = DelayAccountingIsOn();
        foreach (var rootPid in rootPids)
        {
            if (ProcStat.Read(rootPid) is not { } root)
                continue;
            var tree = new List<ProcStat> { root };
            for (var i = 0; i < tree.Count; i++)
                if (children.TryGetValue(tree[i].Pid, out var kids))
                    tree.AddRange(kids);
            samples[rootPid] = Summarize(root, tree, delayAccounting);
        }
        return samples;
    }

    private static ProcessTreeSample Summarize(ProcStat root, List<ProcStat> tree, bool delayAccounting)
    {
        double ticks = 0, ioDelayTicks = 0;
        long rssPages = 0, read = 0, written = 0, majorFaults = 0, swap = 0;
        var threads = 0;
        foreach (var stat in tree)
        {
            ticks += stat.UserTicks + stat.SystemTicks;
            ioDelayTicks += stat.BlockIoDelayTicks;
            rssPages += stat.RssPages;
            threads += stat.Threads;
            majorFaults += (long)stat.MajorFaults;
            swap += ReadSwapBytes(stat.Pid);
            var (r, w) = ReadIo(stat.Pid);
            read += r;
            written += w;
        }
        return new ProcessTreeSample(root.Pid, root.State, ticks / Libc.ClockTicksPerSecond,
            rssPages * Environment.SystemPageSize, read, written, threads, tree.Count,
            majorFaults, swap, delayAccounting ? ioDelayTicks / Libc.ClockTicksPerSecond : null,
            CpuCgroup.ThrottledSeconds(root.Pid));
    }

    /// <summary>Block I/O delays are only counted while kernel.task_delayacct is on; a zero then would read as "no I/O wait".</summary>
    private static bool DelayAccountingIsOn()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/task_delayacct").Trim() == "1";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>VmSwap of /proc/PID/status; kernel threads and vanished processes have none.</summary>
    private static long ReadSwapBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmSwap:", StringComparison.Ordinal))
                    continue;
                var kib = line.AsSpan(7).Trim();
                kib = kib.EndsWith("kB", StringComparison.Ordinal) ? kib[..^2].Trim() : kib;
                return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }
        return 0;
    }

    /// <summary>Parent links of every process, read once: cheaper and more robust than following per-task children files, which miss children of exited threads.</summary>
    private static Dictionary<int, List<ProcStat>> ChildrenByParent()
    {
        var children = new Dictionary<int, List<ProcStat>>();
        foreach (var dir in EnumerateProcessDirectories())
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            if (ProcStat.Read(pid) is not { } stat || stat.Pid == stat.ParentPid)
                continue;
            if (!children.TryGetValue(stat.ParentPid, out var list))
                children[stat.ParentPid] = list = [];
            list.Add(stat);
        }
        return children;
    }

    private static IEnumerable<string> EnumerateProcessDirectories()
    {
        try
        {
            return Directory.GetDirectories("/proc");
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static (long Read, long Written) ReadIo(int pid)
    {
        try
        {
            long read = 0, written = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/io"))
            {
                if (line.StartsWith("rchar:", StringComparison.Ordinal))
                    read = long.Parse(line.AsSpan(6).Trim(), CultureInfo.InvariantCulture);
                else if (line.StartsWith("wchar:", StringComparison.Ordinal))
                    written = long.Parse(line.AsSpan(6).Trim(), CultureInfo.InvariantCulture);
            }
            return (read, written);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return (0, 0);
        }
    }
}
