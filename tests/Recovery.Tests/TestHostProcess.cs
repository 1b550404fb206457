using System.Diagnostics;

namespace Caas.Recovery.Tests;

/// <summary>
/// A test host of this repository (a project under tests/, e.g. Recovery.SagaHost or Monitoring.SiloHost) running as
/// a process of its own, which a chaos test can kill with SIGKILL and start again. The host prints "ready" once it
/// can be used; its output is kept for the test to print when something goes wrong. Settings, secrets included, go
/// through the environment, never the command line. Monitoring.Tests links this file.
/// </summary>
public sealed class TestHostProcess : IAsyncDisposable
{

    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TestHostProcess(Process process) => _process = process;

    /// <summary>Starts tests/<paramref name="project"/> and returns once it said "ready" within <paramref name="patience"/>.</summary>
    public static async Task<TestHostProcess> StartAsync(string project, IReadOnlyDictionary<string, string> environment, TimeSpan patience)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(HostDll(project));
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{project} did not start.");
        var host = new TestHostProcess(process);
        process.OutputDataReceived += (_, e) => host.Record(e.Data);
        process.ErrorDataReceived += (_, e) => host.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var first = await Task.WhenAny(host._ready.Task, process.WaitForExitAsync(), Task.Delay(patience));
        if (first != host._ready.Task)
        {
            await host.DisposeAsync();
            throw new InvalidOperationException($"{project} did not get ready within {patience}:\n{host.Output}");
        }
        return host;
    }

    public string Output
    {
        get
        {
            lock (_output)
                return string.Join('\n', _output);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed or acknowledged.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.Add(line);
        if (line == "ready")
            _ready.TrySetResult();
    }

    /// <summary>The host's build output next to this test assembly's: same configuration, same target framework.</summary>
    private static string HostDll(string project)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = testOutput;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Platform.sln")))
            root = root.Parent;
        if (root is null)
            throw new InvalidOperationException($"No Platform.sln above {AppContext.BaseDirectory}.");
        var dll = Path.Combine(root.FullName, "tests", project, "bin", testOutput.Parent!.Name, testOutput.Name, project + ".dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build the test project that references it first.");
    }
}
