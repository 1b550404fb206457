using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>Hands RestoreRejected to the job's grain.</summary>
public sealed class RestoreRejectedConsumer(IGrainFactory grains, ILogger<RestoreRejectedConsumer> logger) : JobReportConsumer<RestoreRejected>(grains, logger)
{
    protected override string JobIdOf(RestoreRejected report) => report.JobId;

    protected override Task Record(IJobGrain job, RestoreRejected report) => job.RecordRestoreRejected(report);
}
