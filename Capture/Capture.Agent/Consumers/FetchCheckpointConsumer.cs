using Caas.Contracts.Bus;
using Caas.Capture.Agent.Transfer;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Agent.Consumers;

/// <summary>
/// On the target: pulls the checkpoint the source offered into this node's checkpoint directory,
/// publishing <see cref="CheckpointTransferProgress"/> about once a second, then
/// <see cref="CheckpointTransferred"/> or <see cref="CheckpointTransferFailed"/>.
/// </summary>
public sealed class FetchCheckpointConsumer(
    TransferClient client,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<FetchCheckpointConsumer> logger) : IConsumer<FetchCheckpoint>
{
    public async Task Consume(ConsumeContext<FetchCheckpoint> context)
    {
        var command = context.Message;
        var nodeId = options.Value.NodeId;
        if (command.TargetNodeId != nodeId)
            return;
        try
        {
            if (!Uri.TryCreate(command.SourceUrl, UriKind.Absolute, out var server))
                throw new TransferFailedException($"the source URL \"{command.SourceUrl}\" is not an absolute URL");
            var source = new CheckpointSource(server, command.Token, command.JobId, command.Sequence);
            var outcome = await client.FetchAsync(source, progress => context.Publish(new CheckpointTransferProgress(
                command.TransferId, command.JobId, command.Sequence, nodeId, progress.BytesDone, progress.BytesTotal, progress.BytesPerSecond, time.GetUtcNow())),
                context.CancellationToken);
            await context.Publish(new CheckpointTransferred(command.TransferId, command.JobId, command.Sequence, command.SourceNodeId, nodeId, outcome.BytesMoved, outcome.Duration, time.GetUtcNow()));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (e is TransferFailedException)
                logger.LogWarning("transfer {TransferId} of checkpoint {Sequence} of job {JobId} from node {Source} failed: {Problem}",
                    command.TransferId, command.Sequence, command.JobId, command.SourceNodeId, e.Message);
            else
                logger.LogError(e, "transfer {TransferId} of checkpoint {Sequence} of job {JobId} failed unexpectedly", command.TransferId, command.Sequence, command.JobId);
            await context.Publish(new CheckpointTransferFailed(command.TransferId, command.JobId, command.Sequence, command.SourceNodeId, nodeId, nodeId, e.Message, time.GetUtcNow()));
        }
    }
}
