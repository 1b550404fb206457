using System.Diagnostics;
using System.Globalization;

namespace Caas.Recovery.Tests;

/// <summary>
/// tests/Recovery.SagaHost running as a process of its own, which a spec can kill with SIGKILL and
/// start again. Its output goes to a log the spec prints when the host does not come up.
/// </summary>
public sealed class SagaHostProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SagaHostProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    /// <summary>Starts the host and returns once it said its queues are bound.</summary>
    public static async Task<SagaHostProcess> StartAsync(string postgres, string amqp, TimeSpan restoreTimeout, TimeSpan verifyTimeout)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(HostDll());
        start.Environment["CAAS_SAGAHOST_POSTGRES"] = postgres;
        start.Environment["CAAS_SAGAHOST_RABBITMQ"] = amqp;
        start.Environment["CAAS_SAGAHOST_RESTORE_TIMEOUT_SECONDS"] = restoreTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        start.Environment["CAAS_SAGAHOST_VERIFY_TIMEOUT_SECONDS"] = verifyTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = Process.Start(start) ?? throw new InvalidOperationException("The saga host did not start.");
        var host = new SagaHostProcess(process);
        process.OutputDataReceived += (_, e) => host.Record(e.Data);
        process.ErrorDataReceived += (_, e) => host.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(host._ready.Task, exited, Task.Delay(StartPatience));
        if (first != host._ready.Task)
        {
            await host.DisposeAsync();
            throw new InvalidOperationException($"The saga host did not get ready within {StartPatience}:\n{host.Output}");
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
    private static string HostDll()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var root = testOutput;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Platform.sln")))
            root = root.Parent;
        if (root is null)
            throw new InvalidOperationException($"No Platform.sln above {AppContext.BaseDirectory}.");
        var dll = Path.Combine(root.FullName, "tests", "Recovery.SagaHost", "bin", configuration, framework, "Recovery.SagaHost.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build tests/Recovery.Tests (it builds the saga host) first.");
    }
}
