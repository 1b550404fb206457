using Caas.Contracts.Bus;
using MassTransit;

namespace Caas.Soak.Benchmarks;

/// <summary>
/// Stands in for a node agent on its queue: says yes to every launch check and reports every launch at once, signed
/// with the node's enrolled credential as a real agent's reports are, so the silos do the work real agents cause.
/// </summary>
public sealed class SoakAgent(SoakFleet fleet, IReadOnlyDictionary<string, string> credentials) : IConsumer<CheckLaunch>, IConsumer<LaunchJob>
{
    public Task Consume(ConsumeContext<CheckLaunch> context) =>
        context.RespondAsync(new LaunchCheckResult(context.Message.NodeId, Launchable: true, Problem: null));

    public async Task Consume(ConsumeContext<LaunchJob> context)
    {
        var launch = context.Message;
        var pid = fleet.Launched(launch.JobId, launch.NodeId);
        await context.Publish(new JobLaunched(launch.JobId, launch.NodeId, pid, DateTimeOffset.UtcNow), Sign<JobLaunched>(launch.NodeId));
    }

    public Action<PublishContext<T>> Sign<T>(string node) where T : class => publish =>
    {
        publish.Headers.Set(AgentMessages.NodeHeader, node);
        publish.Headers.Set(AgentMessages.CredentialHeader, credentials[node]);
    };
}
