using Caas.Capture.Agent.Jobs;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Bundles;
using Caas.Capture.Engine.Proc;
using Caas.Capture.Engine.Progress;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Caas.Capture.Agent;

public static class AgentServiceCollectionExtensions
{
    /// <summary>
    /// The node agent: options from "Caas:Agent" (tool paths from "Caas:Agent:Capture"), the CRIU
    /// engine, progress channel, sampler and the <see cref="NodeAgent"/> hosted service. The host must
    /// also add MassTransit (with <see cref="AgentBusRegistrationExtensions.AddCaasAgentConsumers"/>),
    /// since the agent publishes through <c>IBus</c>.
    /// </summary>
    public static IServiceCollection AddCaasAgent(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AgentOptions>()
            .Bind(configuration.GetSection(AgentOptions.Section))
            .Validate(o => o.Problems().Count == 0, "Caas:Agent is invalid; the node agent reports the details at start.");
        services.AddOptions<CaptureOptions>().Bind(configuration.GetSection(AgentOptions.CaptureSection));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IManifestSigner, UnsignedManifests>();
        services.TryAddSingleton<ICheckpointEngine, CriuEngine>();
        services.TryAddSingleton<ProcSampler>();
        services.TryAddSingleton<ProgressChannel>();
        services.TryAddSingleton<CheckpointBundleWriter>();
        services.TryAddSingleton<CheckpointBundleVerifier>();
        services.TryAddSingleton<AgentPaths>();
        services.TryAddSingleton<JobRecordStore>();
        services.TryAddSingleton<NodeJobs>();
        services.AddHostedService<NodeAgent>();
        return services;
    }
}
