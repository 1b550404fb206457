using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>Hands CheckpointCompleted to the job's grain.</summary>
public sealed class CheckpointCompletedConsumer(IGrainFactory grains, ILogger<CheckpointCompletedConsumer> logger) : JobReportConsumer<CheckpointCompleted>(grains, logger)
{
    protected override string JobIdOf(CheckpointCompleted report) => report.JobId;

    protected override Task Record(IJobGrain job, CheckpointCompleted report) => job.RecordCheckpointCompleted(report);
}
