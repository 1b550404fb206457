using System.Globalization;
using Caas.Capture.Engine.Proc;

namespace Caas.Capture.Agent.Jobs;

/// <summary>
/// Whether a test restore of a job's checkpoint could collide with the real job or the outside world. A throw-away copy
/// restored on the same node shares the job's network namespace: a listening socket would fight the running job for
/// its port, and an established TCP connection restored with --tcp-established would talk to the job's real peers.
/// Such jobs are refused rather than test-restored.
/// </summary>
public static class TestRestoreSafety
{
    /// <summary>CRIU writes one such image per established TCP connection it dumped.</summary>
    private const string TcpStreamImagePrefix = "tcp-stream-";
    private static readonly string[] InetTables = ["tcp", "tcp6", "udp", "udp6"];

    /// <returns>Why a test restore of these images would be unsafe, or null.</returns>
    public static string? ProblemWithImages(string imagesDirectory)
    {
        var connections = Directory.EnumerateFiles(imagesDirectory, TcpStreamImagePrefix + "*").Count();
        return connections == 0
            ? null
            : $"the image holds {connections} established TCP connection(s); a test copy would talk to the job's real peers";
    }

    /// <returns>Why a test restore next to the running job rooted at <paramref name="rootPid"/> would be unsafe, or null.</returns>
    public static string? ProblemWithRunningJob(int rootPid)
    {
        var socketInodes = SocketInodesOfTree(rootPid);
        if (socketInodes.Count == 0)
            return null;
        var inet = InetTables.Sum(table => InetSocketInodes($"/proc/{rootPid}/net/{table}").Count(socketInodes.Contains));
        return inet == 0
            ? null
            : $"the running job holds {inet} TCP/UDP socket(s); a test copy would collide with its addresses and ports";
    }

    private static HashSet<long> SocketInodesOfTree(int rootPid)
    {
        var inodes = new HashSet<long>();
        foreach (var pid in TreeOf(rootPid))
        {
            IEnumerable<string> fds;
            try
            {
                fds = Directory.EnumerateFiles($"/proc/{pid}/fd").ToArray();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var fd in fds)
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal)
                    && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
                    inodes.Add(inode);
            }
        }
        return inodes;
    }

    /// <summary>The root and every process descending from it, found by walking each process's parent chain.</summary>
    private static List<int> TreeOf(int rootPid)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ProcStat.Read(pid) is { } stat)
                parents[pid] = stat.ParentPid;
        }
        var tree = new List<int>();
        foreach (var pid in parents.Keys)
        {
            for (int current = pid, depth = 0; current > 1 && depth < 64; current = parents.GetValueOrDefault(current), depth++)
            {
                if (current == rootPid)
                {
                    tree.Add(pid);
                    break;
                }
            }
        }
        return tree;
    }

    /// <summary>The inode column of /proc/PID/net/{tcp,udp}[6]: the sockets of the job's network namespace.</summary>
    private static IEnumerable<long> InetSocketInodes(string table)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(table);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        return lines.Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length > 9)
            .Select(fields => long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode) ? inode : 0)
            .Where(inode => inode > 0);
    }
}
