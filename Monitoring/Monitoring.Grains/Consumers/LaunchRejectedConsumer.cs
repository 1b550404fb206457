using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>Hands LaunchRejected to the job's grain.</summary>
public sealed class LaunchRejectedConsumer(IGrainFactory grains, ILogger<LaunchRejectedConsumer> logger) : JobReportConsumer<LaunchRejected>(grains, logger)
{
    protected override string JobIdOf(LaunchRejected report) => report.JobId;

    protected override Task Record(IJobGrain job, LaunchRejected report) => job.RecordLaunchRejected(report);
}
