using Caas.Monitoring.Grains.Consumers;
using MassTransit;

namespace Caas.Monitoring.Grains;

public static class MonitoringBusRegistrationExtensions
{
    /// <summary>The consumers that feed agent and recovery reports into the monitoring grains. Register them in the silo's host.</summary>
    public static IBusRegistrationConfigurator AddCaasMonitoringConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<NodeHeartbeatConsumer>();
        bus.AddConsumer<JobLaunchedConsumer>();
        bus.AddConsumer<LaunchRejectedConsumer>();
        bus.AddConsumer<CheckpointCompletedConsumer>();
        bus.AddConsumer<CheckpointRejectedConsumer>();
        bus.AddConsumer<RestoreCompletedConsumer>();
        bus.AddConsumer<RestoreRejectedConsumer>();
        bus.AddConsumer<JobProcessExitedConsumer>();
        bus.AddConsumer<RecoveryEndedConsumer>();
        bus.AddConsumer<CheckpointVerificationEndedConsumer>();
        bus.AddConsumer<CheckpointsPrunedConsumer>();
        return bus;
    }
}
