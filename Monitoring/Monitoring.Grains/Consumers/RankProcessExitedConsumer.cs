using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>Hands RankProcessExited to the distributed job's grain (the job's grain, by its distributed face), which folds it into the job's state.</summary>
public sealed class RankProcessExitedConsumer(IGrainFactory grains, ILogger<RankProcessExitedConsumer> logger) : JobReportConsumer<RankProcessExited>(grains, logger)
{
    protected override string JobIdOf(RankProcessExited report) => report.JobId;

    protected override Task Record(IJobGrain job, RankProcessExited report) => job.AsReference<IDistributedJobGrain>().RecordRankExited(report);
}
