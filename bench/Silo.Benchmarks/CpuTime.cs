using System.Globalization;

namespace Caas.Silo.Benchmarks;

/// <summary>CPU time used so far by every process of one name (e.g. the PostgreSQL server's backends), from /proc.</summary>
public static class CpuTime
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public static TimeSpan OfProcessesNamed(string name)
    {
        double ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (!int.TryParse(Path.GetFileName(dir), out _) || File.ReadAllText(Path.Join(dir, "comm")).Trim() != name)
                    continue;
                // utime and stime are fields 14 and 15; the command name before them may hold spaces, so count after its ')'.
                var stat = File.ReadAllText(Path.Join(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
        }
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
