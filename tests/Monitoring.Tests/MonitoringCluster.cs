using Microsoft.Extensions.DependencyInjection.Extensions;
using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains;
using Caas.Monitoring.Grains.Nodes;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Caas.Monitoring.Tests;

/// <summary>
/// One in-process Orleans silo with the monitoring grains over a real SQLite event store and a real
/// MassTransit in-memory bus. Monitoring's clock is fake; Orleans keeps its own real one.
/// </summary>
public sealed class MonitoringCluster : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly string[] AgentNodes = ["node-1", "node-2", "node-9"];
    public const string FabricFirstAddress = "198.18.71.101";
    public const int FabricSize = 32;

    private readonly TempDirectory _dir = new();
    private readonly string _databasePath;

    public MonitoringCluster() : this(null)
    {
    }

    /// <param name="databasePath">An existing event store to start on, as after a restart; a fresh one when null.</param>
    internal MonitoringCluster(string? databasePath) => _databasePath = databasePath ?? _dir.File("data/events.db");

    public FakeTimeProvider Clock { get; } = new(Start);
    public BusTap Tap { get; } = new();
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IClusterClient Client => Cluster.Client;
    public IServiceProvider Silo => Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress);
    public IEventStore Store => Silo.GetRequiredService<IEventStore>();

    public async Task InitializeAsync()
    {
        var databasePath = _databasePath;
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddCaasMonitoringGrains());
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Services.AddCaasSqliteEventStore(databasePath);
            host.Services.AddKeyedSingleton<TimeProvider>(MonitoringClock.Key, Clock);
            host.Services.AddCaasMonitoring();
            // The rank fabric distributed jobs take their addresses from.
            host.Services.Configure<Grains.Distributed.RankFabricOptions>(fabric =>
            {
                fabric.FirstAddress = FabricFirstAddress;
                fabric.Size = FabricSize;
            });
            host.Services.AddMassTransit(bus =>
            {
                bus.AddCaasMonitoringConsumers();
                bus.UsingInMemory((context, transport) =>
                {
                    foreach (var node in AgentNodes)
                    {
                        var queue = AgentAddress.QueueName(node);
                        transport.ReceiveEndpoint(queue, endpoint => endpoint.Consumer(() => new AgentQueueRecorder(Tap, queue)));
                    }
                    transport.ReceiveEndpoint(PublishedRecorder.Queue, endpoint => endpoint.Consumer(() => new PublishedRecorder(Tap)));
                    transport.ReceiveEndpoint(DistributedJobAddress.QueueName, endpoint => endpoint.Consumer(() => new RankWorkRecorder(Tap)));
                    transport.ConfigureEndpoints(context);
                });
            });
            // These tests move a fake clock by hand; a probe slowed by a loaded machine must not make the platform deaf
            // (and stop a node from being found lost) in the middle of one. BusHearing is tested by the chaos tests.
            host.Services.Replace(ServiceDescriptor.Singleton<IPlatformHearing>(AlwaysHearing.Instance));
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _dir.Dispose();
    }

    public IJobGrain Job(string jobId) => Client.GetGrain<IJobGrain>(jobId);

    public Task NodeHeartbeat(string nodeId, string pool = "default", int slots = 4, int running = 0) =>
        Client.GetGrain<INodeDirectoryGrain>(0).RecordHeartbeat(new NodeStatus
        {
            NodeId = nodeId, Pool = pool, JobSlots = slots, RunningJobs = running, Engine = "criu 4.2.1", LastHeartbeatAt = Clock.GetUtcNow(),
        });

    /// <summary>
    /// Makes the node live for placement with exactly <paramref name="running"/> jobs. Tests share one clock, so a node
    /// an earlier test left silent has been found lost; it then counts as live only after its probation, which this
    /// lets pass with a heartbeat every interval. Placements earlier tests made on it, which this fake agent never
    /// reports running, stop counting after <see cref="NodeRoster.PendingForHeartbeats"/> heartbeats.
    /// </summary>
    public async Task NodeAlive(string nodeId, string pool = "default", int slots = 4, int running = 0)
    {
        for (var beat = 0; beat < NodeRoster.PendingForHeartbeats; beat++)
            await NodeHeartbeat(nodeId, pool, slots, running);
        await NodeHeartbeat(nodeId, pool, slots, running);
        var limit = (NodeLivenessDetector.FlapWindow + NodeLivenessDetector.Probation) / NodeLivenessDetector.AssumedHeartbeatInterval + 1;
        for (var beats = 0; await Health(nodeId) != NodeHealth.Live; beats++)
        {
            if (beats > limit)
                throw new InvalidOperationException($"Node {nodeId} did not become live after {beats} heartbeats.");
            Clock.Advance(NodeLivenessDetector.AssumedHeartbeatInterval);
            await NodeHeartbeat(nodeId, pool, slots, running);
        }
    }

    /// <summary>Moves the clock on while <paramref name="nodeId"/> heartbeats every interval, as a live agent does, so the node is not found lost meanwhile.</summary>
    public async Task AdvanceHeartbeating(TimeSpan span, string nodeId)
    {
        for (var left = span; left > TimeSpan.Zero; left -= NodeLivenessDetector.AssumedHeartbeatInterval)
        {
            Clock.Advance(left < NodeLivenessDetector.AssumedHeartbeatInterval ? left : NodeLivenessDetector.AssumedHeartbeatInterval);
            await NodeHeartbeat(nodeId);
        }
    }

    public async Task<NodeHealth?> Health(string nodeId) =>
        (await Client.GetGrain<INodeLivenessGrain>(0).Liveness()).SingleOrDefault(n => n.NodeId == nodeId)?.Health;

    public async Task<IReadOnlyList<string>> StoredTypes(string jobId) =>
        (await Store.ReadStreamAsync(jobId, 0, 10_000)).Select(e => e.Type).ToArray();

    public async Task<IReadOnlyList<object>> StoredEvents(string jobId)
    {
        var serializer = new Caas.Monitoring.EventStore.EventSerializer();
        return (await Store.ReadStreamAsync(jobId, 0, 10_000)).Select(e => (object)serializer.DeserializeAny(e.Type, e.Data)).ToArray();
    }
}
