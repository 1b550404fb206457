using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Capture.Agent.Jobs;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Caas.Capture.Agent.Consumers;

/// <summary>Deletes a checkpoint bundle held on this node and reports it gone with <see cref="CheckpointsPruned"/>.</summary>
public sealed class DeleteCheckpointConsumer(NodeJobs jobs, TimeProvider time, ILogger<DeleteCheckpointConsumer> logger) : IConsumer<DeleteCheckpoint>
{
    public const string Reason = "deleted by an operator";

    public async Task Consume(ConsumeContext<DeleteCheckpoint> context)
    {
        var command = context.Message;
        if (command.NodeId != jobs.NodeId)
            return;
        try
        {
            await jobs.DeleteCheckpointAsync(command.JobId, command.Sequence, context.CancellationToken);
        }
        catch (AgentRejectionException e)
        {
            // Nothing is reported: the catalog keeps showing the checkpoint, which is still there.
            logger.LogWarning("checkpoint {Sequence} of job {JobId} was not deleted: {Problem}", command.Sequence, command.JobId, e.Message);
            return;
        }
        await context.Publish(new CheckpointsPruned(command.JobId, jobs.NodeId, [command.Sequence], CheckpointRemoval.Operator, Reason, time.GetUtcNow()));
    }
}
