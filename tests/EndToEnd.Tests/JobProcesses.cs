using System.Runtime.InteropServices;

namespace Caas.EndToEnd.Tests;

/// <summary>Finds and signals the job processes a test's platform started, by the PID files its agent keeps.</summary>
public static class JobProcesses
{
    public const int SIGKILL = 9;
    public const int SIGUSR1 = 10;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;

    public static void Signal(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>
    /// Live processes named <paramref name="command"/> that belong to the job, on the whole machine whichever node runs
    /// them: a job that runs twice shows here as two.
    /// </summary>
    public static int CopiesRunning(string jobId, string command)
    {
        var count = 0;
        foreach (var process in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(process, "comm")).Trim() == command
                    && File.ReadAllText(Path.Combine(process, "environ")).Split('\0').Contains($"CAAS_JOB_ID={jobId}")
                    && !File.ReadAllText(Path.Combine(process, "stat")).Contains(") Z ", StringComparison.Ordinal))
                    count++;
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // The process ended while it was being looked at.
            }
        }
        return count;
    }

    /// <summary>SIGKILL to every job root recorded under the data directory that is still alive.</summary>
    public static void KillAll(string dataDirectory)
    {
        if (!Directory.Exists(dataDirectory)) return;
        foreach (var pidFile in Directory.EnumerateFiles(dataDirectory, "pid", SearchOption.AllDirectories))
        {
            if (int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) && pid > 1 && IsJobOf(pid, dataDirectory))
                _ = kill(pid, SIGKILL);
        }
    }

    /// <summary>The job's root processes recorded under the data directory that are alive and are this platform's; every job's when <paramref name="jobId"/> is empty.</summary>
    public static IReadOnlyList<int> LiveRootsOf(string dataDirectory, string jobId)
    {
        if (!Directory.Exists(dataDirectory)) return [];
        return Directory.EnumerateFiles(dataDirectory, "pid", SearchOption.AllDirectories)
            .Where(file => jobId.Length == 0 || file.Contains($"{Path.DirectorySeparatorChar}{jobId}{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(file => int.TryParse(File.ReadAllText(file).Trim(), out var pid) ? pid : 0)
            .Where(pid => pid > 1 && IsJobOf(pid, dataDirectory) && !IsZombie(pid))
            .Distinct()
            .ToList();
    }

    private static bool IsZombie(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].TrimStart().StartsWith('Z'); }
        catch (IOException) { return true; }
    }

    // Only processes whose environment names this data directory's progress socket are ours to end.
    private static bool IsJobOf(int pid, string dataDirectory)
    {
        try
        {
            var environ = File.ReadAllText($"/proc/{pid}/environ");
            return environ.Contains(dataDirectory, StringComparison.Ordinal);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
