using Caas.Contracts.Bus;
using Caas.Capture.Agent.Jobs;
using MassTransit;

namespace Caas.Capture.Agent.Consumers;

/// <summary>Answers the launch pre-flight, so that a spec this node cannot run is refused before the job is recorded.</summary>
public sealed class CheckLaunchConsumer(NodeJobs jobs) : IConsumer<CheckLaunch>
{
    public async Task Consume(ConsumeContext<CheckLaunch> context)
    {
        if (context.Message.NodeId != jobs.NodeId)
            return;
        var problem = jobs.CheckLaunchable(context.Message.Spec);
        await context.RespondAsync(new LaunchCheckResult(jobs.NodeId, problem is null, problem));
    }
}
