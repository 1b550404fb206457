using System.Diagnostics;

namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>Runs a system tool (ip, rabbitmqctl, stat) to completion and fails with its output when it fails.</summary>
internal static class HostCommand
{
    /// <returns>The tool's standard output.</returns>
    public static string Run(string file, params string[] arguments)
    {
        var (exit, output, error) = TryRun(file, arguments);
        if (exit != 0)
            throw new InvalidOperationException($"`{file} {string.Join(' ', arguments)}` exited with {exit}: {error.Trim()} {output.Trim()}");
        return output;
    }

    public static (int Exit, string Output, string Error) TryRun(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException($"`{file} {string.Join(' ', arguments)}` did not finish within 60 s");
        }
        return (process.ExitCode, output.Result, error.Result);
    }
}
