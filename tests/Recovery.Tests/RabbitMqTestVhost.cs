using System.Diagnostics;
using MassTransit;

namespace Caas.Recovery.Tests;

/// <summary>
/// A virtual host of its own on the RabbitMQ named by CAAS_TEST_RABBITMQ, for one test, deleted
/// afterwards: exchanges are named by message type, so tests sharing a vhost would receive each
/// other's RecoveryRequested. Needs rabbitmqctl (the test command runs as root next to the broker).
/// Without the variable the test fails, never skips.
/// </summary>
public sealed class RabbitMqTestVhost : IAsyncDisposable
{
    public const string Variable = "CAAS_TEST_RABBITMQ";

    private readonly Uri _server;
    private readonly string _username;
    private readonly string _password;

    private RabbitMqTestVhost(Uri server, string username, string password, string name)
    {
        _server = server;
        _username = username;
        _password = password;
        Name = name;
    }

    public string Name { get; }

    public static async Task<RabbitMqTestVhost> CreateAsync()
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text, UriKind.Absolute, out var server) || !server.UserInfo.Contains(':'))
            throw new InvalidOperationException($"{Variable} is not set to amqp://user:password@host:port/vhost: these tests need a real RabbitMQ (`set -a; . /opt/caas/rabbitmq.env; set +a`, or ./caas test).");
        var credentials = server.UserInfo.Split(':', 2);
        var vhost = new RabbitMqTestVhost(server, Uri.UnescapeDataString(credentials[0]), Uri.UnescapeDataString(credentials[1]),
            $"caas-scheduler-{Guid.NewGuid():N}");
        await RabbitMqCtlAsync("add_vhost", vhost.Name);
        await RabbitMqCtlAsync("set_permissions", "-p", vhost.Name, vhost._username, ".*", ".*", ".*");
        return vhost;
    }

    /// <summary>Points a bus at this vhost.</summary>
    public void Configure(IRabbitMqBusFactoryConfigurator bus) =>
        bus.Host(_server.Host, (ushort)(_server.Port > 0 ? _server.Port : 5672), Name, h =>
        {
            h.Username(_username);
            h.Password(_password);
        });

    /// <summary>This vhost as an amqp:// URI with credentials, for a process of its own (pass it in its environment, not its arguments).</summary>
    public string AmqpUri =>
        $"amqp://{Uri.EscapeDataString(_username)}:{Uri.EscapeDataString(_password)}@{_server.Host}:{(_server.Port > 0 ? _server.Port : 5672)}/{Name}";

    public async ValueTask DisposeAsync() => await RabbitMqCtlAsync("delete_vhost", Name);

    private static async Task RabbitMqCtlAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("rabbitmqctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-q");
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("rabbitmqctl did not start.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl {arguments[0]} failed ({process.ExitCode}): {await error}{await output}");
    }
}
