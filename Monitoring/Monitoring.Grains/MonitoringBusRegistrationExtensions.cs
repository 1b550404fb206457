using Caas.Monitoring.Grains.Consumers;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
        Add<RankProcessExitedConsumer>(bus);
        Add<RecoveryEndedConsumer>(bus);
        Add<CheckpointVerificationEndedConsumer>(bus);
        Add<CheckpointsPrunedConsumer>(bus);
        Add<CheckpointTransferEndedConsumer>(bus);
        Add<CheckpointTransferredConsumer>(bus);
        Add<PlaceRecoveredJobConsumer>(bus);
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

    private static void Add<TConsumer>(IBusRegistrationConfigurator bus) where TConsumer : class, IConsumer =>
        bus.AddConsumer<TConsumer>(consumer => consumer.UseMessageRetry(retry => retry.Intervals(RetryIntervals)));
}
