using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>Hands RankProcessExited to the distributed job's grain, which folds it into the job's state.</summary>
public sealed class RankProcessExitedConsumer(IGrainFactory grains, ILogger<RankProcessExitedConsumer> logger) : IConsumer<RankProcessExited>
{
    public Task Consume(ConsumeContext<RankProcessExited> context)
    {
        var report = context.Message;
        if (!JobIds.IsValid(report.JobId))
        {
            logger.LogWarning("Dropped a rank exit naming '{JobId}', which is not a job id", report.JobId);
            return Task.CompletedTask;
        }
        return grains.GetGrain<IDistributedJobGrain>(report.JobId).RecordRankExited(report);
    }
}
