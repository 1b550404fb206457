using System.Security.Cryptography;

namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>
/// A real cluster on this machine: the web/silo host in Cluster mode as a process on the host (PostgreSQL schema and
/// RabbitMQ virtual host of its own), and three node agents, each a process in its own network namespace reaching the
/// broker through the bridge of its <see cref="ClusterNetwork"/>, in two pools with one image key file.
/// Everything it made is removed on dispose, also when starting fails half-way. Other test classes build clusters of
/// another shape (<see cref="ClusterShape"/>: nodes, subnet, image transfer) from the same parts.
/// </summary>
public class ClusterPlatform : IAsyncLifetime
{
    public const int SlotsPerNode = 4;
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    public static readonly IReadOnlyList<ClusterNode> Nodes =
    [
        new("onprem-1", "onprem", 11, new Dictionary<string, string> { ["zone"] = "a" }),
        new("onprem-2", "onprem", 12, new Dictionary<string, string> { ["zone"] = "b" }),
        new("cloud-a-1", "cloud-a", 13, new Dictionary<string, string> { ["zone"] = "a" }),
    ];

    private readonly ClusterShape _shape;
    private readonly string _runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
    private readonly List<ClusterAgent> _agents = [];
    private ClusterNetwork? _network;
    private ClusterBroker? _broker;
    private ClusterDatabase? _database;

    public ClusterPlatform() : this(new ClusterShape(Nodes, ClusterNetwork.DefaultSubnet, ClusterNetwork.DefaultPrefix))
    {
    }

    protected ClusterPlatform(ClusterShape shape) => _shape = shape;

    /// <summary>Short, so the agents' unix socket paths stay within 107 bytes.</summary>
    public string Directory => $"/tmp/{_shape.Prefix}-{_runId}";
    public ClusterNetwork Network => _network!;

    public StandaloneHost Host { get; private set; } = null!;
    /// <summary>A second server: its own silo in the same Orleans cluster (membership in the same PostgreSQL), its own portal.</summary>
    public StandaloneHost SecondHost { get; private set; } = null!;
    public CaasApi Api => Host.Api;
    public string DatabaseConnectionString => _database!.ConnectionString;
    public IReadOnlyList<ClusterAgent> Agents => _agents;
    /// <summary>The secrets the processes were given (passwords, agents' credentials), which no log may show.</summary>
    public IReadOnlyList<string> Secrets { get; private set; } = [];

    public ClusterAgent Agent(string nodeId) => _agents.Single(a => a.NodeId == nodeId);

    /// <summary>The lines of a file of a rank's run <paramref name="generation"/> on the agent of <paramref name="nodeId"/>; none while it is not there.</summary>
    public string[] RankOutput(string nodeId, string jobId, int rank, int generation, string file = "stdout.log")
    {
        var path = Path.Combine(Agent(nodeId).DataDirectory, "agent", "ranks", jobId, rank.ToString(), $"run-{generation}", file);
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        try
        {
            _network = ClusterNetwork.Create(_runId, _shape.Subnet, _shape.Prefix);
            _broker = ClusterBroker.Create(_runId);
            _database = await ClusterDatabase.CreateAsync(_runId);
            Secrets = [new Uri(_broker.UrlAt("x")).UserInfo.Split(':')[1], new Npgsql.NpgsqlConnectionStringBuilder(_database.ConnectionString).Password!];
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, "server"));
            var serverSettings = new Dictionary<string, string>
            {
                ["Caas:Mode"] = "Cluster",
                ["Caas:Cluster:Postgres"] = _database.ConnectionString,
                ["Caas:Bus:RabbitMq:Url"] = _broker.UrlAt("127.0.0.1"),
            };
            if (_shape.RankFabric)
            {
                serverSettings["Caas:RankFabric:FirstAddress"] = $"{_network.Subnet}.101";
                serverSettings["Caas:RankFabric:Size"] = "50";
            }
            // The host refuses unenrolled agents' reports (the default in every mode), so it comes first: each agent
            // is enrolled through its API, as `./caas up --cluster` does, then started with its credential.
            Host = await StandaloneHost.StartAsync(Path.Combine(Directory, "server"), expectedNodes: 0, settings: serverSettings);
            var credentials = new List<string>();
            foreach (var node in _shape.Nodes)
            {
                var networkNamespace = _network.AddNode(node.HostByte);
                var settings = new Dictionary<string, string>
                {
                    ["Caas:Agent:Pool"] = node.Pool,
                    ["Caas:Agent:JobSlots"] = SlotsPerNode.ToString(),
                    ["Caas:Agent:HeartbeatInterval"] = HeartbeatInterval.ToString("c"),
                    ["Caas:Agent:ImageKeyFile"] = Path.Combine(Directory, "image.key"),
                };
                foreach (var (key, value) in node.Labels)
                    settings[$"Caas:Agent:Labels:{key}"] = value;
                // Agents fetch each other's checkpoints over the bridge, at their own address.
                if (_shape.ServeImages)
                    settings["Caas:Agent:Transfer:ListenUrl"] = $"http://{_network.Subnet}.{node.HostByte}:7070";
                if (_shape.RankFabric)
                {
                    settings["Caas:Agent:RankFabric:Bridge"] = _network.Bridge;
                    // The bridge is in the test's (the host's) namespace, the agent in its node's.
                    settings["Caas:Agent:RankFabric:FabricNamespace"] = $"/proc/{Environment.ProcessId}/ns/net";
                    settings["Caas:Agent:RankFabric:PrefixLength"] = "24";
                }
                var credential = await Host.Api.EnrollAsync(node.NodeId);
                credentials.Add(credential);
                _agents.Add(ClusterAgent.Start(node.NodeId, networkNamespace, Path.Combine(Directory, node.NodeId), _broker.UrlAt(_network.BridgeAddress), settings, credential));
            }
            Secrets = [.. Secrets, .. credentials];
            await Host.WaitUntilReadyAsync(_shape.Nodes.Count);
            if (_shape.SecondServer)
            {
                System.IO.Directory.CreateDirectory(Path.Combine(Directory, "server-2"));
                // Users live in the cluster's PostgreSQL, shared by both servers: the second logs in as the first's admin.
                SecondHost = await StandaloneHost.StartAsync(Path.Combine(Directory, "server-2"), adminPassword: Host.AdminPassword,
                    expectedNodes: _shape.Nodes.Count, settings: serverSettings);
            }
        }
        catch (Exception error)
        {
            var logs = string.Join("\n", _agents.Select(a => $"--- agent {a.NodeId} (exited: {a.HasExited}):\n{a.ReadLog()}"));
            await DisposeAsync();
            throw new InvalidOperationException($"the cluster did not start: {error.Message}\n{logs}", error);
        }
    }

    /// <summary>Where the agent of <paramref name="nodeId"/> receives its jobs' progress reports.</summary>
    public string ProgressSocketOf(string nodeId) => Path.Combine(Agent(nodeId).DataDirectory, "agent", "progress.sock");

    /// <summary>
    /// A restored job reports progress to the socket path in its image's environment: the lost node's data directory.
    /// On real hosts every agent has the same path on its own machine, so the reports reach the new node's agent;
    /// here all agents share one file system, so the lost node's path is pointed at the new node's socket instead.
    /// </summary>
    public void FollowProgress(string lostNodeId, string newNodeId)
    {
        var old = ProgressSocketOf(lostNodeId);
        File.Delete(old);
        File.CreateSymbolicLink(old, ProgressSocketOf(newNodeId));
    }

    /// <summary>The inode of a network namespace: two processes share a namespace exactly when these are equal.</summary>
    public static string NamespaceOfProcess(int pid) =>
        HostCommand.Run("stat", "-L", "-c", "%i", $"/proc/{pid}/ns/net").Trim();

    public static string InodeOfNamespace(string networkNamespace) =>
        HostCommand.Run("stat", "-L", "-c", "%i", ClusterNetwork.PathOf(networkNamespace)).Trim();

    public async Task DisposeAsync()
    {
        if (SecondHost is not null)
            await SecondHost.DisposeAsync();
        if (Host is not null)
            await Host.DisposeAsync();
        foreach (var agent in _agents)
            await agent.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
        _broker?.Dispose();
        _network?.Dispose();
        ClusterLogs.Keep(Directory);
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}
