using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>Hands RestoreCompleted to the job's grain.</summary>
public sealed class RestoreCompletedConsumer(IGrainFactory grains, ILogger<RestoreCompletedConsumer> logger) : JobReportConsumer<RestoreCompleted>(grains, logger)
{
    protected override string JobIdOf(RestoreCompleted report) => report.JobId;

    protected override Task Record(IJobGrain job, RestoreCompleted report) => job.RecordRestoreCompleted(report);
}
