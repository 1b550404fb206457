using System.Globalization;

namespace Caas.Capture.Engine.Proc;

/// <summary>The fields of /proc/PID/stat the agent uses.</summary>
public sealed record ProcStat(int Pid, char State, int ParentPid, ulong UserTicks, ulong SystemTicks, int Threads, ulong StartTicks, long RssPages,
    ulong MajorFaults = 0, ulong BlockIoDelayTicks = 0)
{
    /// <returns>Null when the process is gone or the file is unreadable.</returns>
    public static ProcStat? Read(int pid)
    {
        try
        {
            return Parse(pid, File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Parses after the last ')' because the command name in parentheses may itself hold spaces and parentheses.</summary>
    public static ProcStat? Parse(int pid, string text)
    {
        var close = text.LastIndexOf(')');
        if (close < 0)
            return null;
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 of proc(5): state; ppid 4, majflt 12, utime 14, stime 15, num_threads 20, starttime 22,
        // rss 24, delayacct_blkio_ticks 42 (absent on old kernels, zero while delay accounting is off).
        if (fields.Length < 22 || fields[0].Length != 1)
            return null;
        var c = CultureInfo.InvariantCulture;
        if (!int.TryParse(fields[1], c, out var ppid)
            || !ulong.TryParse(fields[11], c, out var utime)
            || !ulong.TryParse(fields[12], c, out var stime)
            || !int.TryParse(fields[17], c, out var threads)
            || !ulong.TryParse(fields[19], c, out var start)
            || !long.TryParse(fields[21], c, out var rss)
            || !ulong.TryParse(fields[9], c, out var majorFaults))
            return null;
        var blockIoDelay = fields.Length > 39 && ulong.TryParse(fields[39], c, out var ticks) ? ticks : 0;
        return new ProcStat(pid, fields[0][0], ppid, utime, stime, threads, start, rss, majorFaults, blockIoDelay);
    }
}
