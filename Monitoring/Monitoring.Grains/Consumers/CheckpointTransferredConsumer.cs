using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>Hands CheckpointTransferred to the job's grain, which records the target as holding a copy and the bytes the move cost.</summary>
public sealed class CheckpointTransferredConsumer(IGrainFactory grains, ILogger<CheckpointTransferredConsumer> logger) : JobReportConsumer<CheckpointTransferred>(grains, logger)
{
    protected override string JobIdOf(CheckpointTransferred report) => report.JobId;

    protected override Task Record(IJobGrain job, CheckpointTransferred report) => job.RecordCheckpointTransferred(report);
}
