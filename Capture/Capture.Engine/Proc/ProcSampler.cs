using System.Globalization;

namespace Capture.Engine.Proc;

/// <summary>
/// Samples a process tree from /proc. Processes come and go while it reads, so every read of a
/// process that vanished is skipped, never thrown.
/// </summary>
public sealed class ProcSampler
{
    /// <returns>Null when the root process is gone.</returns>
    public ProcessTreeSample? Sample(int rootPid)
    {
        var root = ProcStat.Read(rootPid);
        if (root is null)
            return null;
        var tree = CollectTree(root);
        double ticks = 0;
        long rssPages = 0, read = 0, written = 0;
        var threads = 0;
        foreach (var stat in tree)
        {
            ticks += stat.UserTicks + stat.SystemTicks;
            rssPages += stat.RssPages;
            threads += stat.Threads;
            var (r, w) = ReadIo(stat.Pid);
            read += r;
            written += w;
        }
        return new ProcessTreeSample(rootPid, root.State, ticks / Libc.ClockTicksPerSecond,
            rssPages * Environment.SystemPageSize, read, written, threads, tree.Count);
    }

    /// <summary>Walks parent links of every process once: cheaper and more robust than following per-task children files, which miss children of exited threads.</summary>
    private static List<ProcStat> CollectTree(ProcStat root)
    {
        var children = new Dictionary<int, List<ProcStat>>();
        foreach (var dir in EnumerateProcessDirectories())
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == root.Pid)
                continue;
            if (ProcStat.Read(pid) is not { } stat)
                continue;
            if (!children.TryGetValue(stat.ParentPid, out var list))
                children[stat.ParentPid] = list = [];
            list.Add(stat);
        }
        var tree = new List<ProcStat> { root };
        for (var i = 0; i < tree.Count; i++)
            if (children.TryGetValue(tree[i].Pid, out var kids))
                tree.AddRange(kids);
        return tree;
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
