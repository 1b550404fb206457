using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>
/// Hands one kind of report about a job to that job's grain. The message is acknowledged only once the grain has
/// recorded (or ignored) it; a report naming something that is not a job id is dropped, never turned into a grain.
/// </summary>
public abstract class JobReportConsumer<TReport>(IGrainFactory grains, ILogger logger) : IConsumer<TReport>
    where TReport : class
{
    public Task Consume(ConsumeContext<TReport> context)
    {
        var jobId = JobIdOf(context.Message);
        if (!JobIds.IsValid(jobId))
        {
            logger.LogWarning("Dropped a {Report} message naming '{JobId}', which is not a job id", typeof(TReport).Name, jobId);
            return Task.CompletedTask;
        }
        return Record(grains.GetGrain<IJobGrain>(jobId), context.Message);
    }

    protected abstract string JobIdOf(TReport report);

    protected abstract Task Record(IJobGrain job, TReport report);
}
