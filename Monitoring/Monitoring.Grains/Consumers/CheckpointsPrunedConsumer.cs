using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>Hands CheckpointsPruned to the job's grain.</summary>
public sealed class CheckpointsPrunedConsumer(IGrainFactory grains, ILogger<CheckpointsPrunedConsumer> logger) : JobReportConsumer<CheckpointsPruned>(grains, logger)
{
    protected override string JobIdOf(CheckpointsPruned report) => report.JobId;

    protected override Task Record(IJobGrain job, CheckpointsPruned report) => job.RecordCheckpointsPruned(report);
}
