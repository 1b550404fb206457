using Caas.Contracts.Bus;
using MassTransit;

namespace Caas.Silo.Benchmarks;

/// <summary>
/// Stands in for a node agent on its queue: says yes to every launch check and reports every launch at once, so
/// the silo does exactly the work real agents cause, without processes behind the jobs.
/// </summary>
public sealed class SimulatedAgent(SimulatedFleet fleet) : IConsumer<CheckLaunch>, IConsumer<LaunchJob>
{
    public Task Consume(ConsumeContext<CheckLaunch> context) =>
        context.RespondAsync(new LaunchCheckResult(context.Message.NodeId, Launchable: true, Problem: null));

    public async Task Consume(ConsumeContext<LaunchJob> context)
    {
        var launch = context.Message;
        var pid = fleet.Launched(launch.JobId, launch.NodeId);
        await context.Publish(new JobLaunched(launch.JobId, launch.NodeId, pid, DateTimeOffset.UtcNow));
    }
}
