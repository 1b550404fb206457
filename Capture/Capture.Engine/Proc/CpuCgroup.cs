using System.Globalization;

namespace Caas.Capture.Engine.Proc;

/// <summary>
/// Reads how long a process's CPU cgroup has been throttled by its quota: the one figure that tells a job
/// held back by its cgroup from a job that competes with others for the cores. Works with cgroup v1
/// (the cpu controller's cpu.stat, throttled_time in nanoseconds) and v2 (cpu.stat, throttled_usec).
/// </summary>
public static class CpuCgroup
{
    private const string Root = "/sys/fs/cgroup";

    /// <returns>Null when the process is gone or its cgroup has no CPU statistics.</returns>
    public static double? ThrottledSeconds(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/cgroup"))
            {
                // "ID:controllers:path"; the path itself may hold ':'.
                var parts = line.Split(':', 3);
                if (parts.Length != 3)
                    continue;
                if (parts[1].Split(',').Contains("cpu"))
                    return Read(Path.Join(Root, "cpu", parts[2], "cpu.stat"), "throttled_time", 1e-9);
                if (parts[0] == "0" && parts[1].Length == 0 && Read(Path.Join(Root, parts[2], "cpu.stat"), "throttled_usec", 1e-6) is { } v2)
                    return v2;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    private static double? Read(string statFile, string field, double secondsPerUnit)
    {
        if (!File.Exists(statFile))
            return null;
        foreach (var line in File.ReadLines(statFile))
        {
            var parts = line.Split(' ', 2);
            if (parts.Length == 2 && parts[0] == field && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                return value * secondsPerUnit;
        }
        return null;
    }
}
