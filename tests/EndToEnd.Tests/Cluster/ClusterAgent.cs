using System.Diagnostics;

namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>
/// One real node agent process (Capture.Agent.dll) started inside a network namespace with `nsenter --net=`, which
/// execs it, so <see cref="Pid"/> is the agent itself. Its broker URL and its credential are passed in the environment,
/// never in argv.
/// </summary>
public sealed class ClusterAgent : IAsyncDisposable
{
    private readonly LoggedProcess _process;

    private ClusterAgent(string nodeId, string networkNamespace, string dataDirectory, LoggedProcess process)
    {
        NodeId = nodeId;
        NetworkNamespace = networkNamespace;
        DataDirectory = dataDirectory;
        _process = process;
    }

    public string NodeId { get; }
    public string NetworkNamespace { get; }
    public string DataDirectory { get; }
    public int Pid => _process.Process.Id;
    public bool HasExited => _process.Process.HasExited;

    /// <param name="settings">Caas:Agent:* and the like, as command-line settings.</param>
    /// <param name="credential">The node's credential from `caas nodes enroll` (the platform refuses its reports without one).</param>
    public static ClusterAgent Start(string nodeId, string networkNamespace, string dataDirectory, string brokerUrl, IReadOnlyDictionary<string, string> settings,
        string? credential)
    {
        var dll = Path.Combine(RepositoryLayout.Root, "Capture", "Capture.Agent", "bin", RepositoryLayout.Configuration, "net10.0", "Capture.Agent.dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} is missing: build the solution first (./caas test does).");
        Directory.CreateDirectory(dataDirectory);
        var start = new ProcessStartInfo("nsenter") { WorkingDirectory = dataDirectory };
        foreach (var argument in new[] { $"--net={ClusterNetwork.PathOf(networkNamespace)}", "dotnet", dll, $"--Caas:Agent:NodeId={nodeId}", $"--Caas:Agent:DataDirectory={Path.Combine(dataDirectory, "agent")}" })
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in settings)
            start.ArgumentList.Add($"--{key}={value}");
        start.Environment["Caas__Bus__RabbitMq__Url"] = brokerUrl;
        if (credential is not null)
            start.Environment["Caas__Agent__Credential"] = credential;
        start.Environment["CAAS_SHIM"] = RepositoryLayout.Shim;
        start.Environment["CAAS_CRIU"] = RepositoryLayout.Criu;
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        // A failing test is read from these logs: when each thing happened matters as much as what.
        start.Environment["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ";

        return new ClusterAgent(nodeId, networkNamespace, dataDirectory, LoggedProcess.Start(start, Path.Combine(dataDirectory, "agent.log")));
    }

    public string ReadLog() => _process.ReadLog();

    /// <summary>kill -9 of the agent alone: its jobs keep running unless the caller ends them too.</summary>
    public async Task KillAsync()
    {
        if (!_process.Process.HasExited)
            _process.Process.Kill();
        await _process.Process.WaitForExitAsync();
    }

    /// <summary>SIGTERM to the agent's own PID, as a service manager stops it; its jobs keep running.</summary>
    public Task StopAsync() => _process.StopAsync();

    /// <summary>Stops the agent, then ends the jobs it started, by the PIDs it recorded.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        JobProcesses.KillAll(DataDirectory);
        _process.Dispose();
    }
}
