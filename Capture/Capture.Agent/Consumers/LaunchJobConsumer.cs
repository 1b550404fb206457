using Caas.Contracts.Bus;
using Caas.Capture.Agent.Jobs;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Caas.Capture.Agent.Consumers;

/// <summary>Starts a job on this node; answers with <see cref="JobLaunched"/> or <see cref="LaunchRejected"/>.</summary>
public sealed class LaunchJobConsumer(NodeJobs jobs, TimeProvider time, ILogger<LaunchJobConsumer> logger) : IConsumer<LaunchJob>
{
    public async Task Consume(ConsumeContext<LaunchJob> context)
    {
        var command = context.Message;
        if (command.NodeId != jobs.NodeId)
            return;
        try
        {
            var handle = await jobs.LaunchAsync(command.JobId, command.Spec, context.CancellationToken, command.Epoch);
            await context.Publish(new JobLaunched(command.JobId, jobs.NodeId, handle.Pid, time.GetUtcNow()));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (e is not AgentRejectionException)
                logger.LogError(e, "launch of job {JobId} failed unexpectedly", command.JobId);
            await context.Publish(new LaunchRejected(command.JobId, jobs.NodeId, e.Message, time.GetUtcNow()));
        }
    }
}
