using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>Hands RestoreRejected to the job's grain; the message is acknowledged only once the grain has recorded (or ignored) it.</summary>
public sealed class RestoreRejectedConsumer(IGrainFactory grains, ILogger<RestoreRejectedConsumer> logger) : IConsumer<RestoreRejected>
{
    public Task Consume(ConsumeContext<RestoreRejected> context)
    {
        if (!JobIds.IsValid(context.Message.JobId))
        {
            logger.LogWarning("Dropped a RestoreRejected message naming '{JobId}', which is not a job id", context.Message.JobId);
            return Task.CompletedTask;
        }
        return grains.GetGrain<IJobGrain>(context.Message.JobId).RecordRestoreRejected(context.Message);
    }
}
