using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests.Chaos;

/// <summary>
/// A RabbitMQ node of the test's own (its own node name, ports, Erlang cookie and database directory, no plugins), so
/// a test may stop and restart it without touching the system's broker that other tests use. One user and vhost "caas".
/// </summary>
public sealed class PrivateRabbitMq : IDisposable
{
    private const string Tools = "/usr/lib/rabbitmq/bin";
    private readonly string _directory;
    private readonly string _password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    private LoggedProcess? _server;

    private PrivateRabbitMq(string directory, string runId)
    {
        _directory = directory;
        NodeName = $"caas-{runId}@localhost";
        Port = FreePort();
        do DistributionPort = FreePort(); while (DistributionPort == Port);
    }

    public string NodeName { get; }
    public int Port { get; }
    public int DistributionPort { get; }

    public string UrlAt(string host) => $"amqp://caas:{_password}@{host}:{Port}/caas";

    public static async Task<PrivateRabbitMq> StartAsync(string directory, string runId)
    {
        var broker = new PrivateRabbitMq(Path.Combine(directory, "rabbitmq"), runId);
        Directory.CreateDirectory(Path.Combine(broker._directory, "home"));
        File.WriteAllText(Path.Combine(broker._directory, "enabled_plugins"), "[].");
        try
        {
            await broker.StartServerAsync();
            broker.Ctl("add_vhost", "caas");
            broker.Ctl("add_user", "caas", broker._password);
            broker.Ctl("set_permissions", "-p", "caas", "caas", ".*", ".*", ".*");
            return broker;
        }
        catch
        {
            broker.Dispose();
            throw;
        }
    }

    /// <summary>Stops the node (every connection drops), waits, and starts it again on the same database: durable queues and their messages return.</summary>
    public async Task RestartAsync(TimeSpan down)
    {
        Ctl("stop");
        _server?.Process.WaitForExit(TimeSpan.FromSeconds(60));
        _server?.Dispose();
        await Task.Delay(down);
        await StartServerAsync();
    }

    private async Task StartServerAsync()
    {
        var start = new ProcessStartInfo(Path.Combine(Tools, "rabbitmq-server")) { WorkingDirectory = _directory };
        foreach (var (key, value) in Environment())
            start.Environment[key] = value;
        _server = LoggedProcess.Start(start, Path.Combine(_directory, "server.log"));
        // await_startup needs the node's VM to answer already: until then, try again.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            try
            {
                await Task.Run(() => Ctl("-t", "120", "await_startup"));
                return;
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline && !_server.Process.HasExited)
            {
                await Task.Delay(1000);
            }
        }
    }

    private Dictionary<string, string> Environment() => new()
    {
        ["HOME"] = Path.Combine(_directory, "home"),
        ["RABBITMQ_NODENAME"] = NodeName,
        ["RABBITMQ_NODE_PORT"] = Port.ToString(),
        ["RABBITMQ_DIST_PORT"] = DistributionPort.ToString(),
        ["RABBITMQ_MNESIA_BASE"] = Path.Combine(_directory, "mnesia"),
        ["RABBITMQ_LOG_BASE"] = Path.Combine(_directory, "log"),
        ["RABBITMQ_PID_FILE"] = Path.Combine(_directory, "pid"),
        ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_directory, "enabled_plugins"),
        ["RABBITMQ_CONFIG_FILE"] = Path.Combine(_directory, "none"),
        ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(_directory, "none-advanced.config"),
    };

    private void Ctl(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(Tools, "rabbitmqctl")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-n", NodeName, "-q" }.Concat(arguments))
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in Environment())
            start.Environment[key] = value;
        using var ctl = Process.Start(start)!;
        var output = ctl.StandardOutput.ReadToEndAsync();
        var error = ctl.StandardError.ReadToEndAsync();
        if (!ctl.WaitForExit(TimeSpan.FromSeconds(150)) || ctl.ExitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed: {error.Result} {output.Result}");
    }

    public void Dispose()
    {
        try { Ctl("stop"); }
        catch (InvalidOperationException) { }
        if (_server is { Process.HasExited: false })
        {
            _server.Process.Kill(entireProcessTree: true);
            _server.Process.WaitForExit(TimeSpan.FromSeconds(30));
        }
        _server?.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
