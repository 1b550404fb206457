using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>Hands CheckpointRejected to the job's grain.</summary>
public sealed class CheckpointRejectedConsumer(IGrainFactory grains, ILogger<CheckpointRejectedConsumer> logger) : JobReportConsumer<CheckpointRejected>(grains, logger)
{
    protected override string JobIdOf(CheckpointRejected report) => report.JobId;

    protected override Task Record(IJobGrain job, CheckpointRejected report) => job.RecordCheckpointRejected(report);
}
