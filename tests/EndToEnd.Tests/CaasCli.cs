using System.Diagnostics;

namespace Caas.EndToEnd.Tests;

/// <summary>
/// The built `caas` CLI (Web/Web.Cli's caas-cli.dll, what ./caas runs) as a user runs it: a process of its own with the
/// platform's address and a token in its environment ($CAAS_URL, $CAAS_TOKEN) and a home of its own.
/// </summary>
public sealed class CaasCli(Uri platform, string token) : IDisposable
{
    private readonly DirectoryInfo home = Directory.CreateTempSubdirectory("caas-cli-home-");

    public static string Dll => Path.Combine(RepositoryLayout.Root, "Web", "Web.Cli", "bin", RepositoryLayout.Configuration, "net10.0", "caas-cli.dll");

    public async Task<(int Exit, string Output, string Error)> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        if (!File.Exists(Dll))
            throw new InvalidOperationException($"{Dll} is missing: build the solution first (./caas test does).");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["CAAS_URL"] = platform.ToString();
        start.Environment["CAAS_TOKEN"] = token;
        start.Environment["HOME"] = home.FullName;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start caas-cli");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`caas {string.Join(' ', arguments)}` did not finish within {timeout.TotalSeconds:0} s: {await error}");
        }
        return (process.ExitCode, await output, await error);
    }

    public void Dispose() => home.Delete(recursive: true);
}
