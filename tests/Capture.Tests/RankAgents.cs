using Caas.Capture.Agent;
using Caas.Capture.Agent.Consumers;
using Caas.Capture.Agent.Ranks;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Network;
using Caas.Contracts.Bus;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Caas.Capture.Tests;

/// <summary>
/// Whole node agents on one machine, as the nodes of a distributed job: "rank-node-0" to "rank-node-N-1", each with its
/// own data directory, all on one rank fabric (a bridge in 198.18.24.0/24) and one MassTransit in-memory bus. The bus
/// belongs to the first agent's host; the others' real rank consumers are connected to it on their own queues, so
/// rank steps cross between agents exactly as through a broker.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RankAgents : IAsyncDisposable
{
    private readonly TemporaryDirectory _directory;
    private readonly Dictionary<int, HostReceiveEndpointHandle> _endpoints;
    private readonly List<IHost> _hosts;
    private readonly List<string> _jobs = [];

    private RankAgents(TemporaryDirectory directory, RankFabric fabric, List<IHost> hosts, Dictionary<int, HostReceiveEndpointHandle> endpoints)
    {
        _directory = directory;
        Fabric = fabric;
        _hosts = hosts;
        _endpoints = endpoints;
        Bus = hosts[0].Services.GetRequiredService<IBus>();
    }

    public RankFabric Fabric { get; }
    public IReadOnlyList<IHost> Hosts => _hosts;
    public IBus Bus { get; }

    public static string NodeId(int index) => $"rank-node-{index}";

    public NodeRanks Ranks(int index) => Hosts[index].Services.GetRequiredService<NodeRanks>();

    public ICheckpointEngine Engine(int index) => Hosts[index].Services.GetRequiredService<ICheckpointEngine>();

    /// <summary>A new job id whose ranks and namespaces are cleaned up at the end.</summary>
    public string NewJob()
    {
        var jobId = Contracts.Jobs.JobIds.New();
        _jobs.Add(jobId);
        return jobId;
    }

    /// <summary>The namespaces of the job's ranks that exist on this machine.</summary>
    public IReadOnlyList<string> NamespacesOf(string jobId) =>
        [.. RankFabric.Run("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')[0]).Where(n => n.StartsWith(jobId + "-", StringComparison.Ordinal)).Order()];

    public static async Task<RankAgents> StartAsync(int count)
    {
        var directory = new TemporaryDirectory();
        var fabric = new RankFabric("198.18.24", "caas-d2");
        var hosts = new List<IHost>();
        var first = Build(NodeId(0), directory, fabric, services => services.AddMassTransit(bus =>
        {
            bus.AddCaasAgentConsumers(NodeId(0));
            bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
        }));
        await first.StartAsync();
        hosts.Add(first);
        var sharedBus = first.Services.GetRequiredService<IBus>();
        var endpoints = new Dictionary<int, HostReceiveEndpointHandle>();
        for (var index = 1; index < count; index++)
        {
            var (host, endpoint) = await StartConnectedAsync(index, directory, fabric, sharedBus);
            hosts.Add(host);
            endpoints[index] = endpoint;
        }
        return new RankAgents(directory, fabric, hosts, endpoints);
    }

    /// <summary>Stops agent <paramref name="index"/> (not the first, whose host owns the bus) and starts it again on the same data directory.</summary>
    public async Task RestartAsync(int index)
    {
        if (index == 0)
            throw new ArgumentOutOfRangeException(nameof(index), "the first agent's host owns the bus");
        await _endpoints[index].StopAsync();
        await _hosts[index].StopAsync();
        _hosts[index].Dispose();
        (_hosts[index], _endpoints[index]) = await StartConnectedAsync(index, _directory, Fabric, Bus);
    }

    /// <summary>An agent on the shared bus: its own host, its real rank consumers on its own queue.</summary>
    private static async Task<(IHost Host, HostReceiveEndpointHandle Endpoint)> StartConnectedAsync(int index, TemporaryDirectory directory, RankFabric fabric, IBus sharedBus)
    {
        var host = Build(NodeId(index), directory, fabric, services => services.AddSingleton(sharedBus));
        await host.StartAsync();
        var endpoint = sharedBus.ConnectReceiveEndpoint(AgentAddress.QueueName(NodeId(index)), e =>
        {
            e.Consumer(() => ActivatorUtilities.CreateInstance<LaunchRankConsumer>(host.Services));
            e.Consumer(() => ActivatorUtilities.CreateInstance<RankStepConsumer>(host.Services));
        });
        await endpoint.Ready;
        return (host, endpoint);
    }

    private static IHost Build(string nodeId, TemporaryDirectory directory, RankFabric fabric, Action<IServiceCollection> addBus)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Caas:Agent:NodeId"] = nodeId,
            ["Caas:Agent:DataDirectory"] = directory.Combine(nodeId),
            ["Caas:Agent:ImageKeyFile"] = directory.Combine("image.key"),
            ["Caas:Agent:Capture:ShimPath"] = NativeBinaries.Shim,
            ["Caas:Agent:Capture:CriuPath"] = NativeBinaries.Criu,
            [$"{AgentServiceCollectionExtensions.RankFabricSection}:{nameof(RankFabricOptions.Bridge)}"] = fabric.Bridge,
            [$"{AgentServiceCollectionExtensions.RankFabricSection}:{nameof(RankFabricOptions.PrefixLength)}"] = "24",
        });
        builder.Services.AddCaasAgent(builder.Configuration);
        addBus(builder.Services);
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        for (var index = 0; index < Hosts.Count; index++)
            foreach (var jobId in _jobs)
                for (var rank = 0; rank < 8; rank++)
                    if (Ranks(index).Running(jobId, rank) is { } job)
                        Engine(index).Kill(job);
        foreach (var jobId in _jobs)
            foreach (var name in NamespacesOf(jobId))
                await Fabric.Namespaces.DeleteAsync(name);
        foreach (var endpoint in _endpoints.Values)
            await endpoint.StopAsync();
        for (var index = Hosts.Count - 1; index >= 0; index--)
        {
            await Hosts[index].StopAsync();
            Hosts[index].Dispose();
        }
        await Fabric.DisposeAsync();
        _directory.Dispose();
    }
}
