using Caas.Monitoring.Grains.Consumers;
using MassTransit;

namespace Caas.Monitoring.Grains;

public static class MonitoringBusRegistrationExtensions
{
    /// <summary>
    /// How long a report keeps being retried when recording it fails: longer than a cluster takes to declare a killed
    /// silo dead and reactivate its grains elsewhere (seconds), so a report that arrived at a dying silo is recorded
    /// by a live one instead of going to the error queue. Recording is idempotent where it matters (reports name what
    /// they report; a repeated heartbeat is one more sample), so a retry after a lost reply does no harm.
    /// </summary>
    public static readonly TimeSpan[] RetryIntervals =
        [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5),
         TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30)];

    /// <summary>The consumers that feed agent and recovery reports into the monitoring grains. Register them in the silo's host.</summary>
    public static IBusRegistrationConfigurator AddCaasMonitoringConsumers(this IBusRegistrationConfigurator bus)
    {
        Add<NodeHeartbeatConsumer>(bus);
        Add<JobLaunchedConsumer>(bus);
        Add<LaunchRejectedConsumer>(bus);
        Add<CheckpointCompletedConsumer>(bus);
        Add<CheckpointRejectedConsumer>(bus);
        Add<RestoreCompletedConsumer>(bus);
        Add<RestoreRejectedConsumer>(bus);
        Add<JobProcessExitedConsumer>(bus);
        Add<RecoveryEndedConsumer>(bus);
        Add<CheckpointVerificationEndedConsumer>(bus);
        Add<CheckpointsPrunedConsumer>(bus);
        Add<CheckpointTransferredConsumer>(bus);
        return bus;
    }

    private static void Add<TConsumer>(IBusRegistrationConfigurator bus) where TConsumer : class, IConsumer =>
        bus.AddConsumer<TConsumer>(consumer => consumer.UseMessageRetry(retry => retry.Intervals(RetryIntervals)));
}
