using System.Diagnostics;
using System.Globalization;

namespace Caas.Monitoring.Tests;

/// <summary>A monitoring silo (tests/Monitoring.SiloHost) in a process of its own, started and SIGKILLed by the chaos tests.</summary>
internal sealed class SiloHostProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloHostProcess(Process process) => _process = process;

    /// <summary>Starts the silo and returns once it is in the cluster with its queues bound.</summary>
    public static async Task<SiloHostProcess> StartAsync(string postgres, string amqp, string cluster, int siloPort, int gatewayPort)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(HostDll());
        // Secrets go through the environment, never the command line.
        start.Environment["CAAS_SILOHOST_POSTGRES"] = postgres;
        start.Environment["CAAS_SILOHOST_RABBITMQ"] = amqp;
        start.Environment["CAAS_SILOHOST_CLUSTER"] = cluster;
        start.Environment["CAAS_SILOHOST_SILO_PORT"] = siloPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["CAAS_SILOHOST_GATEWAY_PORT"] = gatewayPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = Process.Start(start) ?? throw new InvalidOperationException("The silo host did not start.");
        var host = new SiloHostProcess(process);
        process.OutputDataReceived += (_, e) => host.Record(e.Data);
        process.ErrorDataReceived += (_, e) => host.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var first = await Task.WhenAny(host._ready.Task, process.WaitForExitAsync(), Task.Delay(StartPatience));
        if (first != host._ready.Task)
        {
            await host.DisposeAsync();
            throw new InvalidOperationException($"The silo host did not get ready within {StartPatience}:\n{host.Output}");
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

    /// <summary>SIGKILL: no shutdown code runs; unacknowledged messages go back to the broker, the cluster must notice by itself.</summary>
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

    private static string HostDll()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = testOutput;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Platform.sln")))
            root = root.Parent;
        if (root is null)
            throw new InvalidOperationException($"No Platform.sln above {AppContext.BaseDirectory}.");
        var dll = Path.Combine(root.FullName, "tests", "Monitoring.SiloHost", "bin", testOutput.Parent!.Name, testOutput.Name, "Monitoring.SiloHost.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build tests/Monitoring.Tests (it builds the silo host) first.");
    }
}
