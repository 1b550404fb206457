using Caas.Contracts.Bus;
using Caas.Capture.Agent.Jobs;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Caas.Capture.Agent.Consumers;

/// <summary>Kills a job's process tree on this node. There is no direct answer: the exit is reported as <see cref="JobProcessExited"/> with the next heartbeat, like any other exit.</summary>
public sealed class KillJobConsumer(NodeJobs jobs, ILogger<KillJobConsumer> logger) : IConsumer<KillJob>
{
    public async Task Consume(ConsumeContext<KillJob> context)
    {
        var command = context.Message;
        if (command.NodeId != jobs.NodeId)
            return;
        if (await jobs.KillAsync(command.JobId, context.CancellationToken, command.UpToEpoch))
            logger.LogInformation("killed job {JobId}: {Reason}", command.JobId, command.Reason);
        else
            logger.LogInformation("kill of job {JobId} ignored: it is not running on node {NodeId}", command.JobId, jobs.NodeId);
    }
}
