using Caas.Capture.Agent.Jobs;
using Caas.Capture.Agent.Transfer;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Bundles;
using Caas.Capture.Engine.Cpu;
using Caas.Capture.Engine.Network;
using Caas.Capture.Engine.Proc;
using Caas.Capture.Engine.Progress;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Agent;

public static class AgentServiceCollectionExtensions
{
    /// <summary>Where distributed jobs' rank namespaces join the fabric (<see cref="RankFabricOptions"/>).</summary>
    public const string RankFabricSection = AgentOptions.Section + ":RankFabric";

    /// <summary>
    /// The node agent: options from "Caas:Agent" (tool paths from "Caas:Agent:Capture"), the CRIU
    /// engine, rank namespaces (fabric from "Caas:Agent:RankFabric"), the image signer (platform key from Caas:Agent:ImageKeyFile, created on first start),
    /// checkpoint retention, progress channel, sampler and the <see cref="NodeAgent"/> hosted service. The host must
    /// also add MassTransit (with <see cref="AgentBusRegistrationExtensions.AddCaasAgentConsumers"/>),
    /// since the agent publishes through <c>IBus</c>.
    /// </summary>
    public static IServiceCollection AddCaasAgent(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AgentOptions>()
            .Bind(configuration.GetSection(AgentOptions.Section))
            .Validate(o => o.Problems().Count == 0, "Caas:Agent is invalid; the node agent reports the details at start.");
        services.AddOptions<CaptureOptions>().Bind(configuration.GetSection(AgentOptions.CaptureSection));
        services.AddOptions<RankFabricOptions>().Bind(configuration.GetSection(RankFabricSection));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider =>
        {
            var agent = provider.GetRequiredService<IOptions<AgentOptions>>().Value;
            return new AgentCredential(agent.NodeId, string.IsNullOrWhiteSpace(agent.Credential) ? null : agent.Credential.Trim());
        });
        services.AddMetrics();
        services.TryAddSingleton<IManifestSigner>(provider => new HmacManifestSigner(LoadImageKey(provider)));
        services.TryAddSingleton(provider => new TransferTokens(LoadImageKey(provider), provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(_ => CpuInfo.ReadThisNode());
        services.TryAddSingleton<ICheckpointEngine, CriuEngine>();
        services.TryAddSingleton<RankNamespaces>();
        services.TryAddSingleton<Ranks.NodeRanks>();
        services.TryAddSingleton<ProcSampler>();
        services.TryAddSingleton<ProgressChannel>();
        services.TryAddSingleton<CheckpointBundleWriter>();
        services.TryAddSingleton<CheckpointBundleVerifier>();
        services.TryAddSingleton<CheckpointChainRestorer>();
        services.TryAddSingleton<RestoreCache>();
        services.TryAddSingleton<CheckpointParentChoice>();
        services.TryAddSingleton<AgentPaths>();
        services.TryAddSingleton<JobRecordStore>();
        services.TryAddSingleton<CheckpointRetention>();
        services.TryAddSingleton<NodeJobs>();
        services.TryAddSingleton<TransferMetrics>();
        services.TryAddSingleton<TransferClient>();
        services.TryAddSingleton<BundleRequests>();
        services.TryAddSingleton<TransferServer>();
        // Before the agent, so that its first heartbeat already carries the transfer URL.
        services.AddHostedService(provider => provider.GetRequiredService<TransferServer>());
        services.TryAddSingleton<CheckpointTestRestore>();
        services.AddHostedService<NodeAgent>();
        services.TryAddSingleton<PlatformLease>();
        services.AddHostedService<LeaseFence>();
        return services;
    }

    /// <summary>The platform key, for the image signer and (derived, never as is) the transfer tokens; whichever asks first creates the file.</summary>
    private static byte[] LoadImageKey(IServiceProvider provider)
    {
        var path = provider.GetRequiredService<IOptions<AgentOptions>>().Value.ImageKeyPath;
        var (key, created) = ImageKeyFile.LoadOrCreate(path);
        if (created)
            provider.GetRequiredService<ILoggerFactory>().CreateLogger<NodeAgent>()
                .LogInformation("created a new platform image key at {KeyFile}: agents that exchange images must all use this same key file", path);
        return key;
    }
}
