using Caas.Contracts.Bus;
using Caas.Capture.Agent.Jobs;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Caas.Capture.Agent.Consumers;

/// <summary>Brings a job back on this node from a checkpoint, replacing any copy still running here; answers with <see cref="RestoreCompleted"/> or <see cref="RestoreRejected"/>.</summary>
public sealed class RestoreJobConsumer(NodeJobs jobs, TimeProvider time, ILogger<RestoreJobConsumer> logger) : IConsumer<RestoreJob>
{
    public async Task Consume(ConsumeContext<RestoreJob> context)
    {
        var command = context.Message;
        if (command.NodeId != jobs.NodeId)
            return;
        try
        {
            var started = time.GetTimestamp();
            var handle = await jobs.RestoreAsync(command.JobId, command.Sequence, command.CheckpointNodeId, context.CancellationToken, command.Epoch);
            await context.Publish(new RestoreCompleted(command.JobId, jobs.NodeId, command.IncidentId, command.Sequence, handle.Pid, time.GetUtcNow(), time.GetElapsedTime(started)));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (e is not AgentRejectionException)
                logger.LogError(e, "restore of job {JobId} from checkpoint {Sequence} failed unexpectedly", command.JobId, command.Sequence);
            await context.Publish(new RestoreRejected(command.JobId, jobs.NodeId, command.IncidentId, command.Sequence, e.Message, time.GetUtcNow()));
        }
    }
}
