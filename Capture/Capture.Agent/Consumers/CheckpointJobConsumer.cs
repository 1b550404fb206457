using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Capture.Agent.Jobs;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Caas.Capture.Agent.Consumers;

/// <summary>Checkpoints a job of this node; answers with <see cref="CheckpointCompleted"/> or <see cref="CheckpointRejected"/>.</summary>
public sealed class CheckpointJobConsumer(NodeJobs jobs, TimeProvider time, ILogger<CheckpointJobConsumer> logger) : IConsumer<CheckpointJob>
{
    public async Task Consume(ConsumeContext<CheckpointJob> context)
    {
        var command = context.Message;
        if (command.NodeId != jobs.NodeId)
            return;
        try
        {
            var checkpoint = await jobs.CheckpointAsync(command.JobId, command.Sequence, command.LeaveRunning, context.CancellationToken);
            CaptureMetrics.Completed(checkpoint);
            await context.Publish(new CheckpointCompleted(command.JobId, jobs.NodeId, checkpoint, time.GetUtcNow()));
            await ReportPrunedAsync(context);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (e is not AgentRejectionException)
                logger.LogError(e, "checkpoint {Sequence} of job {JobId} failed unexpectedly", command.Sequence, command.JobId);
            CaptureMetrics.CheckpointsRejected.Add(1, new KeyValuePair<string, object?>("node", jobs.NodeId));
            await context.Publish(new CheckpointRejected(command.JobId, jobs.NodeId, command.Sequence, e.Message, time.GetUtcNow()));
        }
    }

    /// <summary>Retention runs after each checkpoint; the platform hears which bundles it deleted so its catalog stays true.</summary>
    private async Task ReportPrunedAsync(ConsumeContext context)
    {
        foreach (var group in jobs.TakePruned().GroupBy(p => (p.JobId, p.Reason)))
            await context.Publish(new CheckpointsPruned(group.Key.JobId, jobs.NodeId, group.Select(p => p.Sequence).ToArray(), CheckpointRemoval.Retention, group.Key.Reason, time.GetUtcNow()));
    }
}
