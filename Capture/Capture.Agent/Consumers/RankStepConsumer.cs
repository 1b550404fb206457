using Caas.Capture.Agent.Jobs;
using Caas.Capture.Agent.Ranks;
using Caas.Contracts.Bus;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Agent.Consumers;

/// <summary>Carries out one step of a coordinated checkpoint or restore on a rank this agent holds, and answers how it went.</summary>
public sealed class RankStepConsumer(NodeRanks ranks, IOptions<AgentOptions> options, ILogger<RankStepConsumer> logger) : IConsumer<RankStep>
{
    public async Task Consume(ConsumeContext<RankStep> context)
    {
        var step = context.Message;
        var nodeId = options.Value.NodeId;
        if (step.NodeId != nodeId)
            return;
        try
        {
            var timings = await ranks.StepAsync(step, context.CancellationToken);
            var imageBytes = timings is null ? 0 : DirectorySize(ranks.Bundle(step.JobId, step.Rank, step.Sequence).Directory);
            await context.RespondAsync(new RankStepDone(step.JobId, step.Rank, nodeId, step.Kind,
                timings?.AppPause.TotalMilliseconds ?? 0, timings?.Dump.TotalMilliseconds ?? 0, imageBytes));
        }
        catch (AgentRejectionException e)
        {
            logger.LogWarning("{Kind} of rank {Rank} of job {JobId} failed: {Reason}", step.Kind, step.Rank, step.JobId, e.Message);
            await context.RespondAsync(new RankStepFailed(step.JobId, step.Rank, nodeId, step.Kind, e.Message));
        }
    }

    private static long DirectorySize(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
}
