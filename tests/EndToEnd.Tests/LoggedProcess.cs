using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Caas.EndToEnd.Tests;

/// <summary>
/// A process a test started, with its standard output and error copied into a log file for failure messages, and
/// stopped with SIGTERM to its own PID, as a service manager would (a script's background process ignores SIGINT).
/// </summary>
public sealed class LoggedProcess : IDisposable
{
    private const int SIGTERM = 15;

    private readonly StreamWriter _log;

    private LoggedProcess(Process process, StreamWriter log, string logPath)
    {
        Process = process;
        _log = log;
        LogPath = logPath;
    }

    public Process Process { get; }
    public string LogPath { get; }

    public static LoggedProcess Start(ProcessStartInfo start, string logPath)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new LoggedProcess(process, log, logPath);
    }

    public string ReadLog()
    {
        lock (_log) _log.Flush();
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>SIGTERM, then a kill if it has not ended within 30 s.</summary>
    public async Task StopAsync()
    {
        if (Process.HasExited) return;
        _ = kill(Process.Id, SIGTERM);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await Process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { Process.Kill(entireProcessTree: true); }
    }

    public void Dispose()
    {
        Process.Dispose();
        lock (_log) _log.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
