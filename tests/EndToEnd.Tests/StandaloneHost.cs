using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Caas.EndToEnd.Tests;

/// <summary>
/// A real standalone platform process (the same binary `./caas up` runs) on free local ports with
/// its own data directory. Stopping it sends SIGTERM, which the host handles like Ctrl-C (a background process started by a script ignores SIGINT).
/// </summary>
public sealed class StandaloneHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private StandaloneHost(Process process, StreamWriter log, string dataDirectory, Uri url)
    {
        _process = process;
        _log = log;
        DataDirectory = dataDirectory;
        Url = url;
        Api = new CaasApi(url);
    }

    public string DataDirectory { get; }
    public Uri Url { get; }
    public CaasApi Api { get; }
    public string LogPath => Path.Combine(DataDirectory, "host.log");

    public static async Task<StandaloneHost> StartAsync(string? dataDirectory = null)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("caas-e2e-").FullName;
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var dll = Path.Combine(RepositoryLayout.Root, "Web", "Web.Standalone", "bin", RepositoryLayout.Configuration, "net10.0", "caas-standalone.dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} is missing: build the solution first (./caas test does).");

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDirectory,
        };
        foreach (var arg in new[]
        {
            dll,
            $"--Caas:DataDirectory={dataDirectory}",
            $"--Caas:Url={url.ToString().TrimEnd('/')}",
            $"--Caas:Orleans:SiloPort={FreePort()}",
            $"--Caas:Orleans:GatewayPort={FreePort()}",
            $"--Caas:Portal:DemoCommand={RepositoryLayout.NativeBinary("counter")}",
        })
            start.ArgumentList.Add(arg);
        start.Environment["CAAS_SHIM"] = RepositoryLayout.Shim;
        start.Environment["CAAS_CRIU"] = RepositoryLayout.Criu;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        var log = new StreamWriter(Path.Combine(dataDirectory, "host.log"), append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the standalone host");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var host = new StandaloneHost(process, log, dataDirectory, url);
        await host.WaitUntilReadyAsync();
        return host;
    }

    /// <summary>Ready means the API answers and the local agent has reported its node.</summary>
    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the standalone host exited with {_process.ExitCode}:\n{ReadLog()}");
            try
            {
                var nodes = await Api.GetNodesAsync();
                if (nodes.Count > 0) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the standalone host did not become ready within 90 s:\n{ReadLog()}");
    }

    public string ReadLog()
    {
        lock (_log) _log.Flush();
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>Stops the host as Ctrl-C would, leaving the data directory for a restart.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        _ = kill(_process.Id, SIGTERM);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await _process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
    }

    /// <summary>Ends every job this host's agent started (by the PIDs it recorded), then the host.</summary>
    public async ValueTask DisposeAsync()
    {
        JobProcesses.KillAll(DataDirectory);
        await StopAsync();
        JobProcesses.KillAll(DataDirectory);
        _process.Dispose();
        lock (_log) _log.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private const int SIGTERM = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
