using System.Diagnostics;
using System.Globalization;

namespace Caas.Soak.Benchmarks;

/// <summary>
/// The silos and web host `./caas up --cluster` recorded in its pids file ("kind pid name" lines): their memory, and
/// the fault this soak injects, kill -9 of a silo and its restart with the same command line, environment and log,
/// after which the pids file names the new process so `./caas down` still stops it.
/// </summary>
public sealed class ClusterProcesses(string pidsFile)
{
    private readonly object gate = new();

    public IReadOnlyList<(string Kind, int Pid, string Name)> Hosts()
    {
        lock (gate)
            return File.ReadAllLines(pidsFile).Select(line => line.Split(' ')).Where(f => f.Length == 3 && f[0] is "silo" or "web")
                .Select(f => (f[0], int.Parse(f[1], CultureInfo.InvariantCulture), f[2])).ToArray();
    }

    public static double ResidentMiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return double.NaN;
        }
    }

    /// <summary>Kills the silo with SIGKILL, waits <paramref name="down"/>, starts it again as it was started; returns the new PID.</summary>
    public async Task<int> KillAndRestartAsync(string name, TimeSpan down, CancellationToken ct)
    {
        var (_, pid, _) = Hosts().Single(h => h.Name == name);
        var argv = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline", ct)).TrimEnd('\0').Split('\0');
        var environment = (await File.ReadAllTextAsync($"/proc/{pid}/environ", ct)).TrimEnd('\0').Split('\0');
        var directory = new DirectoryInfo($"/proc/{pid}/cwd").ResolveLinkTarget(returnFinalTarget: true)!.FullName;
        var log = new FileInfo($"/proc/{pid}/fd/1").ResolveLinkTarget(returnFinalTarget: true)!.FullName;
        Process.GetProcessById(pid).Kill();
        await Task.Delay(down, ct);
        // Through sh, so the new silo appends to the same log as the old one did, detached from this process.
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = directory, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" >>\"$CAAS_SOAK_LOG\" 2>&1 </dev/null");
        start.ArgumentList.Add("sh");
        foreach (var arg in argv)
            start.ArgumentList.Add(arg);
        start.Environment.Clear();
        foreach (var pair in environment.Select(e => e.Split('=', 2)).Where(p => p.Length == 2))
            start.Environment[pair[0]] = pair[1];
        start.Environment["CAAS_SOAK_LOG"] = log;
        using var restarted = Process.Start(start)!;
        lock (gate)
            File.WriteAllLines(pidsFile, File.ReadAllLines(pidsFile).Select(line =>
                line == $"silo {pid} {name}" ? $"silo {restarted.Id} {name}" : line));
        return restarted.Id;
    }
}
