using System.Diagnostics;
using System.Text;

namespace Caas.Capture.Engine;

/// <summary>
/// Runs a tool (the shim, CRIU) to completion and collects its output. The shim daemonizes, and a
/// daemon that kept our pipes open would make "read to end" wait for the job to end; so output is
/// collected only until the command itself exits, plus a short grace.
/// </summary>
internal static class ExternalCommand
{
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(1);

    public static async Task<CommandResult> RunAsync(string fileName, IEnumerable<string> args, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        if (environment is not null)
            foreach (var (name, value) in environment)
                start.Environment[name] = value;

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CheckpointEngineException($"cannot run {fileName}: {e.Message}");
        }
        process.StandardInput.Close();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var readOut = Drain(process.StandardOutput, stdout);
        var readErr = Drain(process.StandardError, stderr);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            cancellationToken.ThrowIfCancellationRequested();
            throw new CheckpointEngineException($"{Path.GetFileName(fileName)} {string.Join(' ', start.ArgumentList.Take(1))} did not finish within {timeout.TotalSeconds:0} s");
        }
        await Task.WhenAny(Task.WhenAll(readOut, readErr), Task.Delay(OutputGrace, CancellationToken.None));
        lock (stdout)
            lock (stderr)
                return new CommandResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    private static async Task Drain(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
            lock (into)
                into.Append(buffer, 0, read);
    }
}
