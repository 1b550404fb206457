using Caas.Contracts.Bus;
using MassTransit;

namespace Caas.Soak.Benchmarks;

/// <summary>
/// Stands in for a node agent on its queue: says yes to every launch check and reports every launch at once, answers
/// and reports signed with the node's enrolled credential as a real agent's are, so the silos do the work real agents cause.
/// </summary>
public sealed class SoakAgent(SoakFleet fleet, IReadOnlyDictionary<string, string> credentials) : IConsumer<CheckLaunch>, IConsumer<LaunchJob>
{
    // Answers are checked like reports: unsigned, the platform would drop it and wait out the launch check's timeout.
    public Task Consume(ConsumeContext<CheckLaunch> context) =>
        context.RespondAsync(new LaunchCheckResult(context.Message.NodeId, Launchable: true, Problem: null), Sign<LaunchCheckResult>(context.Message.NodeId));

    public async Task Consume(ConsumeContext<LaunchJob> context)
    {
        var launch = context.Message;
        var pid = fleet.Launched(launch.JobId, launch.NodeId);
        await context.Publish(new JobLaunched(launch.JobId, launch.NodeId, pid, DateTimeOffset.UtcNow), Sign<JobLaunched>(launch.NodeId));
    }

    public Action<SendContext<T>> Sign<T>(string node) where T : class => send =>
    {
        send.Headers.Set(AgentMessages.NodeHeader, node);
        send.Headers.Set(AgentMessages.CredentialHeader, credentials[node]);
    };
}
