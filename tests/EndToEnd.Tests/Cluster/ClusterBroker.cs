namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>
/// A virtual host of its own on the test broker (CAAS_TEST_RABBITMQ) for one cluster run, so its queues never meet
/// another run's, deleted on dispose. The tests fail, never skip, when the variable is missing.
/// </summary>
public sealed class ClusterBroker : IDisposable
{
    public const string Variable = "CAAS_TEST_RABBITMQ";

    private readonly Uri _server;

    private ClusterBroker(Uri server, string virtualHost)
    {
        _server = server;
        VirtualHost = virtualHost;
    }

    public string VirtualHost { get; }

    public static ClusterBroker Create(string runId)
    {
        var url = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(url))
            throw new InvalidOperationException(
                $"{Variable} is not set. The cluster tests need a real RabbitMQ: run `sudo scripts/install-rabbitmq.sh`, then "
                + "`set -a; . /opt/caas/rabbitmq.env; set +a` (./caas test does both).");
        var server = new Uri(url);
        var user = Uri.UnescapeDataString(server.UserInfo.Split(':')[0]);
        var broker = new ClusterBroker(server, $"cl-{runId}");
        HostCommand.Run("rabbitmqctl", "-q", "add_vhost", broker.VirtualHost);
        try
        {
            HostCommand.Run("rabbitmqctl", "-q", "set_permissions", "-p", broker.VirtualHost, user, ".*", ".*", ".*");
        }
        catch
        {
            broker.Dispose();
            throw;
        }
        return broker;
    }

    /// <summary>The broker's URL, credentials included, on this run's virtual host, as reached at <paramref name="host"/>.</summary>
    public string UrlAt(string host) => $"amqp://{_server.UserInfo}@{host}:{_server.Port}/{VirtualHost}";

    public void Dispose() => HostCommand.TryRun("rabbitmqctl", "-q", "delete_vhost", VirtualHost);
}
