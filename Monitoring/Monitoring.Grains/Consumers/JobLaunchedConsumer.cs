using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>Hands JobLaunched to the job's grain.</summary>
public sealed class JobLaunchedConsumer(IGrainFactory grains, ILogger<JobLaunchedConsumer> logger) : JobReportConsumer<JobLaunched>(grains, logger)
{
    protected override string JobIdOf(JobLaunched report) => report.JobId;

    protected override Task Record(IJobGrain job, JobLaunched report) => job.RecordLaunched(report);
}
