using Caas.Contracts.Bus;
using Npgsql;

namespace Caas.Web.Standalone;

/// <summary>
/// The choices the host makes itself; everything else is bound by each area from "Caas:*". <see cref="Mode"/>
/// (Caas:Mode) is the one switch between the embedded engines and the cluster's: in Cluster mode the event store is
/// PostgreSQL (Caas:Cluster:Postgres), the bus RabbitMQ (Caas:Bus:RabbitMq:Url) and no agent runs in the host
/// (Caas:Server:EmbeddedAgent, default true standalone, false in a cluster), and the silo joins the Orleans cluster
/// Caas:Orleans:ClusterId through the same PostgreSQL, reachable at Caas:Orleans:AdvertisedAddress (default 127.0.0.1)
/// on its own Caas:Orleans:SiloPort and GatewayPort.
/// </summary>
public sealed record StandaloneSettings(
    string DataDirectory, string Url, string NodeId, int SiloPort, int GatewayPort,
    PlatformMode Mode, string? ClusterPostgres, RabbitMqAddress? Broker, bool EmbeddedAgent,
    string ClusterId = StandaloneSettings.DefaultClusterId, System.Net.IPAddress? AdvertisedAddress = null)
{
    public const string DefaultClusterId = "caas";
    public const string ClusterIdKey = "Caas:Orleans:ClusterId";
    public const string AdvertisedAddressKey = "Caas:Orleans:AdvertisedAddress";
    public const string ModeKey = "Caas:Mode";
    public const string ClusterPostgresKey = "Caas:Cluster:Postgres";
    public const string EmbeddedAgentKey = "Caas:Server:EmbeddedAgent";

    public string DatabasePath => Path.Combine(DataDirectory, "caas.db");

    /// <summary>Where events are stored, without any password, for the banner and logs.</summary>
    public string EventStoreDescription => Mode == PlatformMode.Cluster
        ? $"PostgreSQL {WithoutPassword(ClusterPostgres!)}"
        : $"SQLite {DatabasePath}";

    public string BusDescription => Broker is null ? "in-memory" : $"RabbitMQ {Broker}";

    /// <summary>Reads and checks the settings; nothing is created unless they are usable.</summary>
    /// <exception cref="InvalidPlatformConfigurationException">One or more settings are unusable; each problem is one sentence naming its key.</exception>
    public static StandaloneSettings From(IConfiguration configuration)
    {
        var problems = new List<string>();
        var modeText = configuration[ModeKey];
        var mode = PlatformMode.Standalone;
        if (modeText is not null && !(Enum.TryParse(modeText, ignoreCase: true, out mode) && Enum.IsDefined(mode)))
            problems.Add($"{ModeKey} must be Standalone or Cluster, not \"{modeText}\".");

        string? postgres = null;
        RabbitMqAddress? broker = null;
        if (mode == PlatformMode.Cluster)
        {
            postgres = configuration[ClusterPostgresKey];
            if (string.IsNullOrWhiteSpace(postgres))
                problems.Add($"{ClusterPostgresKey} is required in Cluster mode: the PostgreSQL connection string of the event store, e.g. Host=127.0.0.1;Username=caas;Password=...;Database=caas.");
            else if (PostgresProblem(postgres) is { } problem)
                problems.Add(problem);
            (broker, var brokerProblem) = RabbitMqAddress.Parse(configuration[RabbitMqAddress.ConfigurationKey]);
            if (brokerProblem is not null)
                problems.Add($"{brokerProblem} (Cluster mode runs the bus on RabbitMQ.)");
        }

        var embeddedText = configuration[EmbeddedAgentKey];
        var embeddedAgent = mode == PlatformMode.Standalone;
        if (embeddedText is not null && !bool.TryParse(embeddedText, out embeddedAgent))
            problems.Add($"{EmbeddedAgentKey} must be true or false, not \"{embeddedText}\".");

        var clusterId = configuration[ClusterIdKey] ?? DefaultClusterId;
        if (string.IsNullOrWhiteSpace(clusterId) || !clusterId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            problems.Add($"{ClusterIdKey} must be letters, digits, '-', '_' or '.', not \"{clusterId}\".");
        var advertisedText = configuration[AdvertisedAddressKey] ?? "127.0.0.1";
        if (!System.Net.IPAddress.TryParse(advertisedText, out var advertised))
            problems.Add($"{AdvertisedAddressKey} must be an IP address other silos can reach, not \"{advertisedText}\".");

        var url = configuration["Caas:Url"] ?? "http://127.0.0.1:5000";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var parsedUrl) || parsedUrl.Scheme is not ("http" or "https"))
            problems.Add($"Caas:Url must be an http(s) URL such as http://127.0.0.1:5000, not \"{url}\".");
        if (problems.Count > 0)
            throw new InvalidPlatformConfigurationException(problems);

        var dataDirectory = Path.GetFullPath(configuration["Caas:DataDirectory"]
            ?? Path.Combine(Directory.GetCurrentDirectory(), ".data"));
        Directory.CreateDirectory(dataDirectory);
        return new StandaloneSettings(
            dataDirectory,
            url,
            configuration["Caas:Agent:NodeId"] ?? "local",
            configuration.GetValue("Caas:Orleans:SiloPort", 11111),
            configuration.GetValue("Caas:Orleans:GatewayPort", 30000),
            mode, postgres, broker, embeddedAgent, clusterId, advertised);
    }

    private static string? PostgresProblem(string connectionString)
    {
        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(parsed.Host) ? $"{ClusterPostgresKey} must name a Host." : null;
        }
        catch (ArgumentException)
        {
            // The parser's message may quote the string, password included; say what is wrong without it.
            return $"{ClusterPostgresKey} is not a valid Npgsql connection string (Key=Value pairs separated by ';').";
        }
    }

    private static string WithoutPassword(string connectionString)
    {
        var parsed = new NpgsqlConnectionStringBuilder(connectionString) { Password = null };
        return $"{parsed.Username}@{parsed.Host}:{parsed.Port}/{parsed.Database}" + (parsed.SearchPath is { Length: > 0 } schema ? $" (schema {schema})" : "");
    }
}
