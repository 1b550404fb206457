using System.Net;
using System.Net.Sockets;
using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests.Chaos;

/// <summary>
/// A PostgreSQL server of the test's own (initdb into a directory of its own, on a free loopback port, run as the
/// postgres user), so a test may restart it without touching the system's server that other tests use.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _dataDirectory;

    private PrivatePostgres(string bin, string dataDirectory, int port)
    {
        _bin = bin;
        _dataDirectory = dataDirectory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Trust authentication on loopback only: the server is reachable from this machine alone, for the test's lifetime.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=caas;Password=private-test-server;Database=caas";

    public static async Task<PrivatePostgres> StartAsync(string directory)
    {
        var bin = Directory.EnumerateDirectories("/usr/lib/postgresql").OrderDescending().Select(v => Path.Combine(v, "bin")).FirstOrDefault(b => File.Exists(Path.Combine(b, "initdb")))
            ?? throw new InvalidOperationException("no PostgreSQL server binaries under /usr/lib/postgresql: run scripts/install-postgres.sh");
        var data = Path.Combine(directory, "pg");
        Directory.CreateDirectory(data);
        HostCommand.Run("chown", "postgres", data);
        var server = new PrivatePostgres(bin, data, FreePort());
        AsPostgres(Path.Combine(bin, "initdb"), "-D", data, "-U", "caas", "-A", "trust", "--no-sync");
        await server.StartServerAsync();
        AsPostgres(Path.Combine(bin, "createdb"), "-h", data, "-p", server.Port.ToString(), "-U", "caas", "caas");
        return server;
    }

    /// <summary>An immediate stop (what a crash leaves: recovery from the WAL at the next start), a pause, and a start.</summary>
    public async Task RestartAsync(TimeSpan down)
    {
        AsPostgres(Path.Combine(_bin, "pg_ctl"), "-D", _dataDirectory, "-m", "immediate", "-w", "stop");
        await Task.Delay(down);
        await StartServerAsync();
    }

    private Task StartServerAsync()
    {
        AsPostgres(Path.Combine(_bin, "pg_ctl"), "-D", _dataDirectory, "-w", "-t", "60", "-l", Path.Combine(_dataDirectory, "server.log"),
            "-o", $"-p {Port} -k {_dataDirectory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start");
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        HostCommand.TryRun("runuser", "-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", _dataDirectory, "-m", "immediate", "-w", "stop");
        return ValueTask.CompletedTask;
    }

    private static void AsPostgres(string tool, params string[] arguments) =>
        HostCommand.Run("runuser", ["-u", "postgres", "--", tool, .. arguments]);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
