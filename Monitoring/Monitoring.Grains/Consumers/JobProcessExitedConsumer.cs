using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>Hands JobProcessExited to the job's grain.</summary>
public sealed class JobProcessExitedConsumer(IGrainFactory grains, ILogger<JobProcessExitedConsumer> logger) : JobReportConsumer<JobProcessExited>(grains, logger)
{
    protected override string JobIdOf(JobProcessExited report) => report.JobId;

    protected override Task Record(IJobGrain job, JobProcessExited report) => job.RecordExited(report);
}
