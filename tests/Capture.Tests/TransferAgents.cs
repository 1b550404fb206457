using Caas.Contracts.Bus;
using Caas.Capture.Agent;
using Caas.Capture.Agent.Consumers;
using Caas.Capture.Agent.Jobs;
using Caas.Capture.Agent.Transfer;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Bundles;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Capture.Tests;

/// <summary>
/// Two whole node agents on one machine, as two nodes: "node-b" serving on 127.0.0.2 and "node-c" on
/// 127.0.0.3 (free ports), sharing the platform key file and one MassTransit in-memory bus. The bus
/// belongs to node-b's host (with the test harness); node-c's real consumers are connected to it on
/// node-c's own queue, so commands cross between the agents exactly as through a broker.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TransferAgents : IAsyncDisposable
{
    public const string SourceNode = "node-b";
    public const string TargetNode = "node-c";

    private readonly TemporaryDirectory _directory;
    private readonly HostReceiveEndpointHandle _targetEndpoint;

    private TransferAgents(TemporaryDirectory directory, IHost source, IHost target, HostReceiveEndpointHandle targetEndpoint)
    {
        _directory = directory;
        Source = new Agent(SourceNode, source);
        Target = new Agent(TargetNode, target);
        _targetEndpoint = targetEndpoint;
        Harness = source.Services.GetRequiredService<ITestHarness>();
    }

    public Agent Source { get; }
    public Agent Target { get; }
    public ITestHarness Harness { get; }
    public string KeyFile => _directory.Combine("image.key");

    /// <summary>An image-read token from node-b for node-c, minted under the platform key an hour ago for five minutes.</summary>
    public string ExpiredToken(string jobId, int sequence) =>
        new TransferTokens(File.ReadAllBytes(KeyFile), new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1)))
            .MintImageRead(jobId, sequence, TargetNode, TimeSpan.FromMinutes(5)).Token;

    /// <summary>The token with one character of its MAC changed.</summary>
    public static string Tampered(string token)
    {
        var parts = token.Split('.');
        return $"{parts[0]}.{parts[1]}.{(parts[2][0] == 'A' ? 'B' : 'A')}{parts[2][1..]}";
    }

    /// <summary>Sends a command to one agent's queue, as the platform does.</summary>
    public async Task SendAsync<T>(string nodeId, T command) where T : class =>
        await (await Harness.Bus.GetSendEndpoint(AgentAddress.For(nodeId))).Send(command);

    /// <summary>The first matching message either agent published, waiting for it up to the harness's timeout.</summary>
    public async Task<T> PublishedAsync<T>(Func<T, bool> match) where T : class
    {
        Assert.True(await Harness.Published.Any<T>(m => match(m.Context.Message)), $"no matching {typeof(T).Name} was published");
        return Harness.Published.Select<T>(m => match(m.Context.Message)).First().Context.Message;
    }

    /// <summary>One agent of the pair and the parts of it the tests use.</summary>
    public sealed class Agent(string nodeId, IHost host)
    {
        public string NodeId { get; } = nodeId;
        public IHost Host { get; } = host;
        public IServiceProvider Services => Host.Services;
        public AgentPaths Paths => Services.GetRequiredService<AgentPaths>();
        public TransferClient Client => Services.GetRequiredService<TransferClient>();
        public TransferTokens Tokens => Services.GetRequiredService<TransferTokens>();
        public Uri Url => new(Services.GetRequiredService<TransferServer>().AdvertisedUrl ?? throw new InvalidOperationException($"{NodeId} serves no checkpoints"));

        /// <summary>A signed bundle of random files, sealed by this agent's own writer (the platform key).</summary>
        public Task<CheckpointManifest> SealBundleAsync(string jobId, int sequence, int? parent, int chunkBytes, params (string Name, int Bytes)[] files) =>
            TestTransferBundles.SealAsync(Services.GetRequiredService<CheckpointBundleWriter>(), Paths.Checkpoint(jobId, sequence), jobId, sequence,
                parent is { } p ? (p, Paths.Checkpoint(jobId, p)) : null, chunkBytes, files);

        /// <summary>Neither a bundle of the job nor anything in the transfer staging area.</summary>
        public void AssertHoldsNothingOf(string jobId)
        {
            Assert.False(Directory.Exists(Path.Combine(Paths.CheckpointsDirectory, jobId)), $"{NodeId} holds checkpoints of {jobId}");
            var staging = Path.Combine(Paths.DataDirectory, "transfers");
            Assert.True(!Directory.Exists(staging) || !Directory.EnumerateFileSystemEntries(staging).Any(), $"{NodeId} left files in {staging}");
        }
    }

    public static async Task<TransferAgents> StartAsync()
    {
        var directory = new TemporaryDirectory();
        var keyFile = directory.Combine("image.key");
        var source = Build(SourceNode, "127.0.0.2", directory, keyFile, services => services.AddMassTransitTestHarness(bus =>
        {
            bus.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(60), testInactivityTimeout: TimeSpan.FromSeconds(30));
            bus.AddCaasAgentConsumers(SourceNode);
            bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
        }));
        await source.StartAsync();
        var sharedBus = source.Services.GetRequiredService<IBus>();
        var target = Build(TargetNode, "127.0.0.3", directory, keyFile, services => services.AddSingleton(sharedBus));
        await target.StartAsync();
        var endpoint = sharedBus.ConnectReceiveEndpoint(AgentAddress.QueueName(TargetNode), e =>
        {
            e.Consumer(() => ActivatorUtilities.CreateInstance<LaunchJobConsumer>(target.Services));
            e.Consumer(() => ActivatorUtilities.CreateInstance<CheckpointJobConsumer>(target.Services));
            e.Consumer(() => ActivatorUtilities.CreateInstance<RestoreJobConsumer>(target.Services));
            e.Consumer(() => ActivatorUtilities.CreateInstance<KillJobConsumer>(target.Services));
            e.Consumer(() => ActivatorUtilities.CreateInstance<TransferCheckpointConsumer>(target.Services));
            e.Consumer(() => ActivatorUtilities.CreateInstance<FetchCheckpointConsumer>(target.Services));
        });
        await endpoint.Ready;
        return new TransferAgents(directory, source, target, endpoint);
    }

    private static IHost Build(string nodeId, string address, TemporaryDirectory directory, string keyFile, Action<IServiceCollection> addBus)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Caas:Agent:NodeId"] = nodeId,
            ["Caas:Agent:HeartbeatInterval"] = "00:00:00.200",
            ["Caas:Agent:DataDirectory"] = directory.Combine(nodeId),
            ["Caas:Agent:ImageKeyFile"] = keyFile,
            ["Caas:Agent:Capture:ShimPath"] = NativeBinaries.Shim,
            ["Caas:Agent:Capture:CriuPath"] = NativeBinaries.Criu,
            ["Caas:Agent:Transfer:ListenUrl"] = $"http://{address}:0",
            ["Caas:Agent:Transfer:FirstRetryDelay"] = "00:00:00.050",
        });
        builder.Services.AddCaasAgent(builder.Configuration);
        addBus(builder.Services);
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in new[] { Target, Source })
        {
            var engine = agent.Services.GetRequiredService<ICheckpointEngine>();
            foreach (var record in agent.Services.GetRequiredService<JobRecordStore>().LoadAll())
                engine.Kill(new JobHandle(record.JobId, agent.Paths.JobDirectory(record.JobId), record.Pid, record.StartTicks));
        }
        await _targetEndpoint.StopAsync();
        await Target.Host.StopAsync();
        Target.Host.Dispose();
        await Source.Host.StopAsync();
        Source.Host.Dispose();
        _directory.Dispose();
    }
}
