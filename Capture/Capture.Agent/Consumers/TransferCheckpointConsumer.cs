using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Capture.Agent.Transfer;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Agent.Consumers;

/// <summary>
/// On the source: lets the target fetch one of this node's checkpoints by minting an "image-read"
/// token for it and sending <see cref="FetchCheckpoint"/> to the target's queue; publishes
/// <see cref="CheckpointTransferFailed"/> when it cannot.
/// </summary>
public sealed class TransferCheckpointConsumer(
    TransferServer server,
    TransferTokens tokens,
    AgentPaths paths,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<TransferCheckpointConsumer> logger) : IConsumer<TransferCheckpoint>
{
    public async Task Consume(ConsumeContext<TransferCheckpoint> context)
    {
        var command = context.Message;
        var nodeId = options.Value.NodeId;
        if (command.SourceNodeId != nodeId)
            return;
        if (Problem(command, nodeId) is { } problem)
        {
            logger.LogWarning("transfer {TransferId} of checkpoint {Sequence} of job {JobId} to node {Target} refused: {Problem}",
                command.TransferId, command.Sequence, command.JobId, command.TargetNodeId, problem);
            await context.Publish(new CheckpointTransferFailed(command.TransferId, command.JobId, command.Sequence, command.SourceNodeId, command.TargetNodeId, nodeId, problem, time.GetUtcNow()));
            return;
        }
        var (token, expiresAt) = tokens.MintImageRead(command.JobId, command.Sequence, command.TargetNodeId, options.Value.Transfer.TokenLifetime);
        var target = await context.GetSendEndpoint(AgentAddress.For(command.TargetNodeId));
        await target.Send(new FetchCheckpoint(command.JobId, command.Sequence, command.SourceNodeId, command.TargetNodeId, command.TransferId, server.AdvertisedUrl!, token, expiresAt));
        logger.LogInformation("transfer {TransferId}: node {Target} may fetch checkpoint {Sequence} of job {JobId} from {Url} until {ExpiresAt:O}",
            command.TransferId, command.TargetNodeId, command.Sequence, command.JobId, server.AdvertisedUrl, expiresAt);
    }

    private string? Problem(TransferCheckpoint command, string nodeId)
    {
        if (!JobIds.IsValid(command.JobId))
            return $"'{command.JobId}' is not a job id";
        if (command.Sequence < 1)
            return $"checkpoint sequence must be at least 1, not {command.Sequence}";
        if (string.IsNullOrWhiteSpace(command.TargetNodeId) || command.TargetNodeId.Contains('|'))
            return $"\"{command.TargetNodeId}\" is not a node id";
        if (command.TargetNodeId == nodeId)
            return $"the checkpoint is already on node {nodeId}";
        if (server.AdvertisedUrl is null)
            return $"node {nodeId} serves no checkpoints ({AgentOptions.Section}:Transfer:ListenUrl is not set)";
        if (!File.Exists(paths.Checkpoint(command.JobId, command.Sequence).ManifestPath))
            return $"checkpoint {command.Sequence} of job {command.JobId} is not on node {nodeId}";
        return null;
    }
}
