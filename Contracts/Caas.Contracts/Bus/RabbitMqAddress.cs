namespace Caas.Contracts.Bus;

/// <summary>
/// Where the cluster's RabbitMQ broker is and how to log in, read from one URL
/// (<c>amqp://user:password@host:5672/vhost</c>, the form RabbitMQ documents) so every host is configured alike
/// (<c>Caas:Bus:RabbitMq:Url</c>, or <c>Caas__Bus__RabbitMq__Url</c> in the environment). The password is kept out of
/// <see cref="ToString"/>, so logging the address never logs the secret.
/// </summary>
public sealed class RabbitMqAddress
{
    public const string ConfigurationKey = "Caas:Bus:RabbitMq:Url";
    public const int DefaultPort = 5672;

    private RabbitMqAddress(string host, int port, string virtualHost, string username, string password)
    {
        Host = host;
        Port = port;
        VirtualHost = virtualHost;
        Username = username;
        Password = password;
    }

    public string Host { get; }
    public int Port { get; }
    public string VirtualHost { get; }
    public string Username { get; }
    public string Password { get; }

    /// <summary>Reads the URL; a missing user or password is an error, since the broker's guest user only works from localhost.</summary>
    /// <returns>The address, or null and the problem, one sentence naming <see cref="ConfigurationKey"/> and never the password.</returns>
    public static (RabbitMqAddress? Address, string? Problem) Parse(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
            return (null, $"{ConfigurationKey} is required: the broker's URL, e.g. amqp://caas:PASSWORD@127.0.0.1:5672/caas.");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "rabbitmq") || string.IsNullOrEmpty(uri.Host))
            return (null, $"{ConfigurationKey} must look like amqp://user:password@host:port/vhost.");
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo.Length != 2 || userInfo[0].Length == 0 || userInfo[1].Length == 0)
            return (null, $"{ConfigurationKey} must name a user and password (amqp://user:password@host/vhost): RabbitMQ's guest user may only connect from localhost.");
        var path = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        var virtualHost = path.Length == 0 ? "/" : path;
        if (virtualHost.Contains('/') && virtualHost != "/")
            return (null, $"{ConfigurationKey} names virtual host \"{virtualHost}\"; write a '/' inside its name as %2F.");
        var port = uri.IsDefaultPort || uri.Port <= 0 ? DefaultPort : uri.Port;
        return (new RabbitMqAddress(uri.Host, port, virtualHost, Uri.UnescapeDataString(userInfo[0]), Uri.UnescapeDataString(userInfo[1])), null);
    }

    /// <summary>The URL without its password, for logs and banners.</summary>
    public override string ToString() => $"amqp://{Uri.EscapeDataString(Username)}@{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}";
}
