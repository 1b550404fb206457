using System.Security.Cryptography;
using Caas.EndToEnd.Tests.Chaos;
using Npgsql;

namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>
/// The cluster as `./caas up --cluster` lays it out, test-sized: two silo hosts (Caas:Roles=silo) and one web host
/// (Caas:Roles=web, no silo of its own: an Orleans client) as processes on the host, on a PostgreSQL schema and a
/// RabbitMQ virtual host of their own, and three node agents, each a process in its own network namespace in
/// 198.18.40.0/24 (links and namespaces prefixed "cs"), in two pools. Everything it made is removed on dispose.
/// </summary>
public class SeparateProcessCluster : IAsyncLifetime
{
    public const string Subnet = "198.18.40";
    /// <summary>Each agent serves its metrics on this port of its own namespace's loopback.</summary>
    public const int AgentMetricsPort = 9464;
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    private readonly string _runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
    private readonly List<ClusterAgent> _agents = [];
    private readonly Dictionary<string, (ClusterNode Node, string? Credential)> _nodes = [];
    private readonly List<StandaloneHost> _silos = [];
    private readonly bool _privateServers;
    private readonly string _subnet;
    private readonly string _prefix;
    private readonly bool _serveImages;
    private ClusterNetwork? _network;
    private ClusterBroker? _broker;
    private ClusterDatabase? _database;
    private Func<string, string> _brokerUrlAt = _ => throw new InvalidOperationException("no broker yet");

    public SeparateProcessCluster() : this(privateServers: false) { }

    /// <param name="privateServers">
    /// A PostgreSQL server and a RabbitMQ node of the fixture's own, which tests may restart; otherwise a schema and a
    /// vhost on the system's servers, which no test may restart since other tests use them at the same time.
    /// </param>
    /// <param name="subnet">The agents' /24 (its first three bytes).</param>
    /// <param name="prefix">What the names of its links, namespaces and directory start with.</param>
    /// <param name="serveImages">Agents serve their checkpoints to each other (checkpoint copies, migrations across nodes).</param>
    protected SeparateProcessCluster(bool privateServers, string subnet = Subnet, string prefix = "cs", bool serveImages = false)
    {
        _privateServers = privateServers;
        _subnet = subnet;
        _prefix = prefix;
        _serveImages = serveImages;
    }

    public PrivatePostgres? Postgres { get; private set; }
    public PrivateRabbitMq? RabbitMq { get; private set; }

    /// <summary>Short, so the agents' unix socket paths stay within 107 bytes.</summary>
    public string Directory => $"/tmp/{_prefix}-{_runId}";

    public StandaloneHost Web { get; private set; } = null!;
    public IReadOnlyList<StandaloneHost> Silos => _silos;
    public IReadOnlyList<ClusterAgent> Agents => _agents;
    public CaasApi Api => Web.Api;
    public string DatabaseConnectionString => _database!.ConnectionString;

    public ClusterAgent Agent(string nodeId) => _agents.Single(a => a.NodeId == nodeId);

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        try
        {
            _network = ClusterNetwork.Create(_runId, _subnet, _prefix);
            if (_privateServers)
            {
                Postgres = await PrivatePostgres.StartAsync(Directory);
                RabbitMq = await PrivateRabbitMq.StartAsync(Directory, _runId);
                _brokerUrlAt = RabbitMq.UrlAt;
                _database = await ClusterDatabase.CreateAsync(_runId, Postgres.ConnectionString);
            }
            else
            {
                _broker = ClusterBroker.Create(_runId);
                _brokerUrlAt = _broker.UrlAt;
                _database = await ClusterDatabase.CreateAsync(_runId);
            }
            for (var n = 1; n <= 2; n++)
            {
                var directory = Path.Combine(Directory, $"silo-{n}");
                System.IO.Directory.CreateDirectory(directory);
                var silo = await StandaloneHost.StartAsync(directory, settings: HostSettings("silo"), servesPortal: false, withMetrics: true);
                _silos.Add(silo);
                Metrics[silo] = silo.MetricsUrl!;
            }
            // The silos refuse unenrolled agents' reports (the default in every mode): the agents start once the web
            // host has enrolled them, each with its credential in its environment, as `./caas up --cluster` does.
            await StartWebAsync(expectedNodes: 0);
            foreach (var node in ClusterPlatform.Nodes)
                StartAgent(node, await Api.EnrollAsync(node.NodeId));
            await Web.WaitUntilReadyAsync(ClusterPlatform.Nodes.Count);
        }
        catch (Exception error)
        {
            var logs = string.Join("\n", _agents.Select(a => $"--- agent {a.NodeId} (exited: {a.HasExited}):\n{a.ReadLog()}"));
            await DisposeAsync();
            throw new InvalidOperationException($"the cluster did not start: {error.Message}\n{logs}", error);
        }
    }

    /// <summary>
    /// Starts the web host (again, after a kill: same data directory, so the same users), ready once it lists
    /// <paramref name="expectedNodes"/> nodes (every node unless told).
    /// </summary>
    public async Task StartWebAsync(int? expectedNodes = null)
    {
        var directory = Path.Combine(Directory, "web");
        System.IO.Directory.CreateDirectory(directory);
        if (Web is not null)
            Metrics.Remove(Web);
        Web = await StandaloneHost.StartAsync(directory, settings: HostSettings("web"), expectedNodes: expectedNodes ?? ClusterPlatform.Nodes.Count, withMetrics: true);
        Metrics[Web] = Web.MetricsUrl!;
    }

    /// <summary>Where each host (silos first, then the web host) serves its metrics, on the host's loopback.</summary>
    public Dictionary<StandaloneHost, Uri> Metrics { get; } = [];

    /// <summary>Heartbeat samples the silos have recorded so far, by their own count (the ingestion metric).</summary>
    public async Task<double> IngestedAsync()
    {
        var total = 0.0;
        foreach (var silo in _silos)
            total += (await PrometheusScrape.FromAsync(Metrics[silo])).Sum("caas_monitoring_heartbeat_samples_total");
        return total;
    }

    /// <summary>The metrics an agent serves inside its network namespace, fetched from there.</summary>
    public PrometheusScrape AgentMetrics(string nodeId) =>
        new(ClusterNetwork.InNamespace(Agent(nodeId).NetworkNamespace, "curl", "-sf", $"http://127.0.0.1:{AgentMetricsPort}/metrics"));

    private Dictionary<string, string> HostSettings(string roles) => new()
    {
        ["Caas:Mode"] = "Cluster",
        ["Caas:Roles"] = roles,
        ["Caas:Cluster:Postgres"] = _database!.ConnectionString,
        ["Caas:Bus:RabbitMq:Url"] = _brokerUrlAt("127.0.0.1"),
    };

    /// <summary>kill -9 of a node's agent and of every job it runs, as when its machine dies.</summary>
    public async Task KillAgentWithItsJobsAsync(string nodeId)
    {
        var agent = Agent(nodeId);
        await agent.KillAsync();
        JobProcesses.KillAll(agent.DataDirectory);
        // SIGKILL is delivered at once, but the processes end a moment later.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (JobProcesses.LiveRootsOf(agent.DataDirectory, jobId: "") is { Count: > 0 } left)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the jobs of {nodeId} did not end within 30 s of SIGKILL: {string.Join(", ", left)}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Starts the node's agent in its network namespace (made at its first start) with <paramref name="credential"/>
    /// (from `caas nodes enroll`; null: none) in its environment; an exited agent of the node is replaced.
    /// </summary>
    public ClusterAgent StartAgent(ClusterNode node, string? credential)
    {
        var old = _agents.SingleOrDefault(a => a.NodeId == node.NodeId);
        if (old is { HasExited: false })
            throw new InvalidOperationException($"the agent of {node.NodeId} still runs");
        var settings = new Dictionary<string, string>
        {
            ["Caas:Agent:Pool"] = node.Pool,
            ["Caas:Agent:JobSlots"] = ClusterPlatform.SlotsPerNode.ToString(),
            ["Caas:Agent:HeartbeatInterval"] = HeartbeatInterval.ToString("c"),
            ["Caas:Agent:ImageKeyFile"] = Path.Combine(Directory, "image.key"),
            ["Caas:Metrics:Port"] = AgentMetricsPort.ToString(),
        };
        if (_serveImages)
            settings["Caas:Agent:Transfer:ListenUrl"] = $"http://{_subnet}.{node.HostByte}:7070";
        var agent = ClusterAgent.Start(node.NodeId, old?.NetworkNamespace ?? _network!.AddNode(node.HostByte), Path.Combine(Directory, node.NodeId),
            _brokerUrlAt(_network!.BridgeAddress), settings, credential);
        _nodes[node.NodeId] = (node, credential);
        if (old is null)
            _agents.Add(agent);
        else
            _agents[_agents.IndexOf(old)] = agent;
        return agent;
    }

    /// <summary>Starts the node's agent again after a kill: same namespace, data directory, settings and credential, as a service manager would.</summary>
    public void RestartAgent(string nodeId)
    {
        var (node, credential) = _nodes[nodeId];
        StartAgent(node, credential);
    }

    /// <summary>Cuts (or restores) the node's only link: its agent and jobs keep running but reach nobody.</summary>
    public void SetLink(string nodeId, bool up) =>
        ClusterNetwork.InNamespace(Agent(nodeId).NetworkNamespace, "ip", "link", "set", "eth0", up ? "up" : "down");

    /// <summary>The job's live root processes over every agent (by the PID files agents keep): more than one means it runs twice.</summary>
    public IReadOnlyList<int> LiveProcessesOf(string jobId) =>
        _agents.SelectMany(a => JobProcesses.LiveRootsOf(a.DataDirectory, jobId)).ToList();

    /// <summary>The silos the cluster's membership table lists as active.</summary>
    public async Task<long> ActiveSilosAsync()
    {
        await using var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync();
        await using var silos = new NpgsqlCommand("SELECT count(*) FROM orleans_membership WHERE status = 3", connection);
        return (long)(await silos.ExecuteScalarAsync())!;
    }

    public async Task DisposeAsync()
    {
        if (Web is not null)
            await Web.DisposeAsync();
        foreach (var silo in _silos)
            await silo.DisposeAsync();
        foreach (var agent in _agents)
            await agent.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
        _broker?.Dispose();
        RabbitMq?.Dispose();
        if (Postgres is not null)
            await Postgres.DisposeAsync();
        _network?.Dispose();
        ClusterLogs.Keep(Directory);
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}
