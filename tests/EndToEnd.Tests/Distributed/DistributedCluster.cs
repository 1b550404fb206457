using System.Collections.Concurrent;
using System.Security.Cryptography;
using Caas.Capture.Agent.Ranks;
using Caas.Contracts.Bus;
using Caas.EndToEnd.Tests.Cluster;
using MassTransit;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Network;
using Microsoft.Extensions.Options;

namespace Caas.EndToEnd.Tests.Distributed;

/// <summary>
/// Real node agent processes (three by default), each in a network namespace of its own on a bridge in a /24 of its
/// own (198.18.24.0/24 by default; the nodes at .11 and up), serving their checkpoints to each other on port 7070, on a
/// RabbitMQ virtual host of their own, with the bridge as their rank fabric (ranks get .101 and up); and a bus client in
/// the test process that drives them with <see cref="DistributedJobCoordinator"/>, as the platform will. Every rank
/// namespace of the run, and every process in one, is gone on dispose.
/// </summary>
public class DistributedCluster : IAsyncLifetime
{
    private readonly string namePrefix;

    public DistributedCluster() : this("198.18.24", "dj", 3)
    {
    }

    /// <param name="namePrefix">Two lower-case letters naming the run's bridge, namespaces, directory and virtual host.</param>
    protected DistributedCluster(string subnet, string namePrefix, int nodes)
    {
        Subnet = subnet;
        this.namePrefix = namePrefix;
        NodeIds = [.. Enumerable.Range(1, nodes).Select(n => $"{namePrefix}-node-{n}")];
    }

    public string Subnet { get; }

    public IReadOnlyList<string> NodeIds { get; }

    private readonly string _runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
    private readonly List<ClusterAgent> _agents = [];
    private readonly ConcurrentDictionary<string, bool> _heard = new();
    private readonly List<string> _jobs = [];
    private ClusterNetwork? _network;
    private ClusterBroker? _broker;
    private IBusControl? _bus;

    public string Directory => $"/tmp/{namePrefix}-{_runId}";

    public IBus Bus => _bus!;

    public string AddressOf(int rank) => $"{Subnet}.{101 + rank}";

    /// <summary>The data directory of the agent of node <paramref name="nodeId"/>.</summary>
    public string AgentData(string nodeId) => Path.Combine(Directory, nodeId, "agent");

    public string NewJob()
    {
        var jobId = Contracts.Jobs.JobIds.New();
        _jobs.Add(jobId);
        return jobId;
    }

    /// <summary>The rank namespaces of the job that exist on this machine.</summary>
    public static IReadOnlyList<string> NamespacesOf(string jobId) =>
        [.. HostCommand.Run("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')[0]).Where(n => n.StartsWith(jobId + "-", StringComparison.Ordinal)).Order()];

    /// <summary>The interfaces on the bridge: the nodes' and one per live rank.</summary>
    public int BridgeMembers() =>
        HostCommand.Run("ip", "-br", "link", "show", "master", _network!.Bridge).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        try
        {
            _network = ClusterNetwork.Create(_runId, Subnet, namePrefix);
            _broker = ClusterBroker.Create($"{namePrefix}{_runId}");
            for (var index = 0; index < NodeIds.Count; index++)
            {
                var networkNamespace = _network.AddNode(11 + index);
                var settings = new Dictionary<string, string>
                {
                    ["Caas:Agent:HeartbeatInterval"] = "00:00:01",
                    ["Caas:Agent:ImageKeyFile"] = Path.Combine(Directory, "image.key"),
                    ["Caas:Agent:RankFabric:Bridge"] = _network.Bridge,
                    // The bridge is in the test's (the host's) namespace, the agent in its node's.
                    ["Caas:Agent:RankFabric:FabricNamespace"] = $"/proc/{Environment.ProcessId}/ns/net",
                    ["Caas:Agent:RankFabric:PrefixLength"] = "24",
                    // Rank bundles move between the nodes with the agents' own transfer.
                    ["Caas:Agent:Transfer:ListenUrl"] = $"http://{Subnet}.{11 + index}:7070",
                };
                // No platform runs here to check credentials: the test's own bus drives the agents and reads their answers.
                _agents.Add(ClusterAgent.Start(NodeIds[index], networkNamespace, Path.Combine(Directory, NodeIds[index]), _broker.UrlAt(_network.BridgeAddress), settings, credential: null));
            }
            var url = new Uri(_broker.UrlAt("127.0.0.1"));
            var credentials = url.UserInfo.Split(':').Select(Uri.UnescapeDataString).ToArray();
            _bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
            {
                cfg.Host(url.Host, (ushort)url.Port, _broker.VirtualHost, host =>
                {
                    host.Username(credentials[0]);
                    host.Password(credentials[1]);
                });
                cfg.ReceiveEndpoint($"{namePrefix}-test-{_runId}", e => e.Handler<NodeHeartbeat>(context =>
                {
                    _heard[context.Message.Node.NodeId] = true;
                    return Task.CompletedTask;
                }));
            });
            await _bus.StartAsync();
            // An agent's queue exists once it runs; a command sent before would be lost.
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (NodeIds.Any(n => !_heard.ContainsKey(n)))
            {
                if (DateTime.UtcNow > deadline || _agents.Any(a => a.HasExited))
                    throw new InvalidOperationException("the agents did not all report:\n" + string.Join("\n", _agents.Select(a => $"--- {a.NodeId}:\n{a.ReadLog()}")));
                await Task.Delay(200);
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Every rank namespace of the job on this machine, with every process in one, is gone.</summary>
    public static async Task RemoveRanksAsync(string jobId, string bridge)
    {
        foreach (var name in NamespacesOf(jobId))
        {
            // A rank still running is a process in its namespace; it must go before the namespace can.
            // The agent frees an ended rank's namespace itself, so one listed a moment ago may be gone now.
            foreach (var pid in HostCommand.TryRun("ip", "netns", "pids", name).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                HostCommand.TryRun("kill", "-9", pid.Trim());
            // Deletes the veth first: a killed rank's sockets can keep the namespace, and its address, alive.
            await new RankNamespaces(Options.Create(new RankFabricOptions { Bridge = bridge }), Options.Create(new CaptureOptions())).DeleteAsync(name);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var jobId in _jobs)
            await RemoveRanksAsync(jobId, _network!.Bridge);
        if (_bus is not null)
            await _bus.StopAsync();
        foreach (var agent in _agents)
            await agent.DisposeAsync();
        _agents.Clear();
        _broker?.Dispose();
        _network?.Dispose();
        ClusterLogs.Keep(Directory);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
