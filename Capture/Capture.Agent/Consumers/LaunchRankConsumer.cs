using Caas.Capture.Agent.Jobs;
using Caas.Capture.Agent.Ranks;
using Caas.Contracts.Bus;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Agent.Consumers;

/// <summary>Starts one rank of a distributed job in a namespace of its own carrying its address, and answers once it runs.</summary>
public sealed class LaunchRankConsumer(NodeRanks ranks, IOptions<AgentOptions> options, ILogger<LaunchRankConsumer> logger) : IConsumer<LaunchRank>
{
    public async Task Consume(ConsumeContext<LaunchRank> context)
    {
        var command = context.Message;
        var nodeId = options.Value.NodeId;
        if (command.NodeId != nodeId)
            return;
        try
        {
            await ranks.LaunchAsync(command, context.CancellationToken);
            logger.LogInformation("launched rank {Rank} of job {JobId}", command.Rank, command.JobId);
            await context.RespondAsync(new RankStepDone(command.JobId, command.Rank, nodeId, null, 0, 0, 0));
        }
        catch (AgentRejectionException e)
        {
            logger.LogWarning("launch of rank {Rank} of job {JobId} refused: {Reason}", command.Rank, command.JobId, e.Message);
            await context.RespondAsync(new RankStepFailed(command.JobId, command.Rank, nodeId, null, e.Message));
        }
    }
}
