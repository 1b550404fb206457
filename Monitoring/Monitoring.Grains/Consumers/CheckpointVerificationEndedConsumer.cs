using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>Hands CheckpointVerificationEnded to the job's grain.</summary>
public sealed class CheckpointVerificationEndedConsumer(IGrainFactory grains, ILogger<CheckpointVerificationEndedConsumer> logger) : JobReportConsumer<CheckpointVerificationEnded>(grains, logger)
{
    protected override string JobIdOf(CheckpointVerificationEnded report) => report.JobId;

    protected override Task Record(IJobGrain job, CheckpointVerificationEnded report) => job.RecordCheckpointVerificationEnded(report);
}
