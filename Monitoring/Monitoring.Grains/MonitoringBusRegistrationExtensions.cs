using Caas.Monitoring.Grains.Consumers;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Caas.Monitoring.Grains;

public static class MonitoringBusRegistrationExtensions
{
    /// <summary>The consumers that feed agent and recovery reports into the monitoring grains. Register them in the silo's host.</summary>
    /// <param name="retry">How failed reports are retried; <see cref="ReportRetry.Default"/> unless a test needs it quicker.</param>
    public static IBusRegistrationConfigurator AddCaasMonitoringConsumers(this IBusRegistrationConfigurator bus, ReportRetry? retry = null)
    {
        retry ??= ReportRetry.Default;
        Add<NodeHeartbeatConsumer>(bus, retry);
        Add<JobLaunchedConsumer>(bus, retry);
        Add<LaunchRejectedConsumer>(bus, retry);
        Add<CheckpointCompletedConsumer>(bus, retry);
        Add<CheckpointRejectedConsumer>(bus, retry);
        Add<RestoreCompletedConsumer>(bus, retry);
        Add<RestoreRejectedConsumer>(bus, retry);
        Add<JobProcessExitedConsumer>(bus, retry);
        Add<RankProcessExitedConsumer>(bus, retry);
        Add<RecoveryEndedConsumer>(bus, retry);
        Add<CheckpointVerificationEndedConsumer>(bus, retry);
        Add<CheckpointsPrunedConsumer>(bus, retry);
        Add<CheckpointTransferEndedConsumer>(bus, retry);
        Add<CheckpointTransferredConsumer>(bus, retry);
        Add<PlaceRecoveredJobConsumer>(bus, retry);
        // Node heartbeats come in here, so whether this host's own probes come back is whether the platform can hear its agents.
        bus.TryAddSingleton<Nodes.BusHearing>();
        // A queue per host: every host must hear its own probes, not compete for them with the others.
        bus.AddConsumer<Nodes.HearingProbeConsumer>().Endpoint(endpoint =>
        {
            endpoint.Temporary = true;
            endpoint.InstanceId = Environment.ProcessId.ToString("x") + Guid.NewGuid().ToString("N")[..8];
        });
        bus.AddHostedService(provider => provider.GetRequiredService<Nodes.BusHearing>());
        bus.Replace(ServiceDescriptor.Singleton<Nodes.IPlatformHearing>(provider => provider.GetRequiredService<Nodes.BusHearing>()));
        return bus;
    }

    private static void Add<TConsumer>(IBusRegistrationConfigurator bus, ReportRetry retry) where TConsumer : class, IConsumer =>
        bus.AddConsumer<TConsumer>(retry.ApplyTo);
}
