using Caas.Contracts.Bus;
using Caas.Contracts.Telemetry;
using Npgsql;

namespace Caas.Web.Standalone;

/// <summary>
/// The choices the host makes itself; everything else is bound by each area from "Caas:*". <see cref="Mode"/>
/// (Caas:Mode) is the one switch between the embedded engines and the cluster's: in Cluster mode the event store is
/// PostgreSQL (Caas:Cluster:Postgres), the bus RabbitMQ (Caas:Bus:RabbitMq:Url), and the host runs the roles named in
/// Caas:Roles (silo, web, agent; default all three standalone, silo and web in a cluster). A silo joins the Orleans
/// cluster Caas:Orleans:ClusterId through the same PostgreSQL, reachable at Caas:Orleans:AdvertisedAddress (default
/// 127.0.0.1) on its own Caas:Orleans:SiloPort and GatewayPort; a web host without a silo finds the silos there too.
/// </summary>
public sealed record StandaloneSettings(
    string DataDirectory, string Url, string NodeId, int SiloPort, int GatewayPort,
    PlatformMode Mode, string? ClusterPostgres, RabbitMqAddress? Broker, HostRoles Roles,
    string ClusterId = StandaloneSettings.DefaultClusterId, System.Net.IPAddress? AdvertisedAddress = null, int? MetricsPort = null)
{
    public const string DefaultClusterId = "caas";
    public const string ClusterIdKey = "Caas:Orleans:ClusterId";
    public const string AdvertisedAddressKey = "Caas:Orleans:AdvertisedAddress";
    public const string ModeKey = "Caas:Mode";
    public const string ClusterPostgresKey = "Caas:Cluster:Postgres";
    public const string RolesKey = "Caas:Roles";
    /// <summary>The switch Caas:Roles replaced; refused with a pointer to it rather than silently ignored.</summary>
    public const string FormerEmbeddedAgentKey = "Caas:Server:EmbeddedAgent";

    public bool EmbeddedAgent => Roles.HasFlag(HostRoles.Agent);
    public bool RunsSilo => Roles.HasFlag(HostRoles.Silo);
    public bool RunsWeb => Roles.HasFlag(HostRoles.Web);
    /// <summary>The OpenTelemetry service name, by what the process runs: caas-silo, caas-web, or caas-standalone for a mix.</summary>
    public string ServiceName => Roles switch
    {
        HostRoles.Silo => "caas-silo",
        HostRoles.Web => "caas-web",
        _ => "caas-standalone",
    };

    public string DatabasePath => Path.Combine(DataDirectory, "caas.db");

    /// <summary>Where events are stored, without any password, for the banner and logs.</summary>
    public string EventStoreDescription => Mode == PlatformMode.Cluster
        ? $"PostgreSQL {WithoutPassword(ClusterPostgres!)}"
        : $"SQLite {DatabasePath}";

    public string BusDescription =>
        !RunsSilo && !EmbeddedAgent ? "none (a web host sends its commands to the grains)"
        : Broker is null ? "in-memory" : $"RabbitMQ {Broker}";

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

        if (configuration[FormerEmbeddedAgentKey] is not null)
            problems.Add($"{FormerEmbeddedAgentKey} is no longer read: name the host's roles in {RolesKey} instead (silo, web, agent; \"agent\" runs a node agent inside the host).");
        var (roles, rolesProblem) = ParseRoles(configuration[RolesKey], mode);
        if (rolesProblem is not null)
            problems.Add(rolesProblem);

        var clusterId = configuration[ClusterIdKey] ?? DefaultClusterId;
        if (string.IsNullOrWhiteSpace(clusterId) || !clusterId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            problems.Add($"{ClusterIdKey} must be letters, digits, '-', '_' or '.', not \"{clusterId}\".");
        var advertisedText = configuration[AdvertisedAddressKey] ?? "127.0.0.1";
        if (!System.Net.IPAddress.TryParse(advertisedText, out var advertised))
            problems.Add($"{AdvertisedAddressKey} must be an IP address other silos can reach, not \"{advertisedText}\".");

        var url = configuration["Caas:Url"] ?? "http://127.0.0.1:5000";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var parsedUrl) || parsedUrl.Scheme is not ("http" or "https"))
            problems.Add($"Caas:Url must be an http(s) URL such as http://127.0.0.1:5000, not \"{url}\".");
        var (metricsPort, metricsProblem) = MetricsEndpoint.Parse(configuration[MetricsEndpoint.ConfigurationKey]);
        if (metricsProblem is not null)
            problems.Add(metricsProblem);
        else if (metricsPort is not null && parsedUrl is not null && parsedUrl.Port == metricsPort)
            problems.Add($"{MetricsEndpoint.ConfigurationKey} must differ from the port of Caas:Url ({parsedUrl.Port}): metrics get a loopback listener of their own.");
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
            mode, postgres, broker, roles, clusterId, advertised, metricsPort);
    }

    /// <summary>Caas:Roles as a comma-separated list; absent means every role standalone, silo and web in a cluster.</summary>
    public static (HostRoles Roles, string? Problem) ParseRoles(string? text, PlatformMode mode)
    {
        if (text is null)
            return (mode == PlatformMode.Standalone ? HostRoles.All : HostRoles.Silo | HostRoles.Web, null);
        var roles = HostRoles.None;
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var role = name.ToLowerInvariant() switch
            {
                "silo" => HostRoles.Silo,
                "web" => HostRoles.Web,
                "agent" => HostRoles.Agent,
                _ => HostRoles.None,
            };
            if (role == HostRoles.None)
                return (HostRoles.None, $"{RolesKey} names silo, web and agent, separated by commas; \"{name}\" is none of them.");
            roles |= role;
        }
        if (roles == HostRoles.None)
            return (HostRoles.None, $"{RolesKey} must name at least one role: silo, web or agent.");
        if ((roles & (HostRoles.Silo | HostRoles.Web)) == HostRoles.None)
            return (HostRoles.None, $"{RolesKey} \"{text}\" has neither silo nor web: run a node agent alone with Capture.Agent.");
        if (mode == PlatformMode.Standalone && !roles.HasFlag(HostRoles.Silo | HostRoles.Web))
            return (HostRoles.None, $"{RolesKey} \"{text}\" splits the platform, which only Cluster mode can (Caas:Mode=Cluster): standalone's in-memory bus and localhost cluster reach no other process.");
        return (roles, null);
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
