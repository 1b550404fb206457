using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>Hands RecoveryEnded to the job's grain.</summary>
public sealed class RecoveryEndedConsumer(IGrainFactory grains, ILogger<RecoveryEndedConsumer> logger) : JobReportConsumer<RecoveryEnded>(grains, logger)
{
    protected override string JobIdOf(RecoveryEnded report) => report.JobId;

    protected override Task Record(IJobGrain job, RecoveryEnded report) => job.RecordRecoveryEnded(report);
}
