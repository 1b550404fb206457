using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Caas.Monitoring.Grains;

public static class MonitoringSiloBuilderExtensions
{
    /// <summary>The log-consistency provider job grains journal through (their ICustomStorageInterface over IEventStore).</summary>
    public const string LogConsistencyProviderName = "CustomStorage";

    /// <summary>
    /// What the monitoring grains need in a silo: the CustomStorage log-consistency provider and monitoring's
    /// clock (the silo's TimeProvider unless one is registered under <see cref="MonitoringClock.Key"/>), and the default
    /// recovery policies (Caas:Policies); the migrations the silo runs and their transfer outcomes; node-loss recovery
    /// with the silo's own fold of which job runs where (every silo runs it; the job grains make each loss act once).
    /// The silo must also have an IEventStore (AddCaasSqliteEventStore) and a MassTransit IBus.
    /// </summary>
    public static ISiloBuilder AddCaasMonitoringGrains(this ISiloBuilder silo)
    {
        silo.AddCustomStorageBasedLogConsistencyProvider(LogConsistencyProviderName);
        silo.Services.TryAddSingleton<JobJournal>();
        silo.Services.TryAddSingleton<Nodes.NodeDrainJournal>();
        silo.Services.TryAddSingleton<Nodes.NodeLivenessJournal>();
        silo.Services.TryAddSingleton<Distributed.RankFabricJournal>();
        silo.Services.AddOptions<Distributed.RankFabricOptions>().BindConfiguration(Distributed.RankFabricOptions.SectionName);
        // A host with the monitoring consumers hears agents through its bus (AddCaasMonitoringConsumers registers BusHearing).
        silo.Services.TryAddSingleton<Nodes.IPlatformHearing>(Nodes.AlwaysHearing.Instance);
        // The job grain resolves each job's recovery policy against the platform's and pools' defaults.
        silo.Services.AddCaasPolicyDefaults();
        silo.Services.TryAddSingleton<EventStore.EventSerializer>();
        silo.Services.TryAddSingleton<Migration.TransferOutcomes>();
        silo.Services.TryAddSingleton<Migration.JobMigration>();
        if (!silo.Services.Any(d => d.ServiceType == typeof(Nodes.NodeJobsFeed)))
        {
            silo.Services.AddSingleton<Nodes.NodeJobsFeed>();
            silo.Services.AddHostedService(provider => provider.GetRequiredService<Nodes.NodeJobsFeed>());
            silo.Services.AddHostedService<Nodes.NodeLossRecovery>();
        }
        silo.Services.TryAddKeyedSingleton(MonitoringClock.Key, (provider, _) => provider.GetService<TimeProvider>() ?? TimeProvider.System);
        return silo;
    }
}
