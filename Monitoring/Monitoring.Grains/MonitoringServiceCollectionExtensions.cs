using Caas.Contracts.Alerts;
using Caas.Contracts.Services;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains.Alerts;
using Caas.Monitoring.Grains.ReadModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Caas.Monitoring.Grains;

public static class MonitoringServiceCollectionExtensions
{
    /// <summary>
    /// The monitoring services for a host that has an Orleans silo or client (IGrainFactory) and an IEventStore:
    /// IJobOperations, INodeOperations, IJobQueries, IAlertOperations, the projections, the alert lifecycle (notifications
    /// go nowhere until <see cref="AlertWebhooksServiceCollectionExtensions.AddCaasAlertWebhooks"/> adds delivery) and the
    /// hosted feed that rebuilds them from $all at start.
    /// </summary>
    public static IServiceCollection AddCaasMonitoring(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton(MonitoringClock.Key, (provider, _) => provider.GetRequiredService<TimeProvider>());
        services.TryAddSingleton<EventSerializer>();
        services.TryAddSingleton<JobListProjection>();
        services.AddOptions<AlertingOptions>().BindConfiguration(AlertingOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertingOptions>, AlertingOptionsValidator>());
        services.TryAddSingleton(provider => provider.GetRequiredService<IOptions<AlertingOptions>>().Value);
        services.TryAddSingleton<AlertConditions>();
        services.TryAddSingleton<AlertLifecycle>();
        services.TryAddSingleton<IAlertOutbox, NoWebhooksOutbox>();
        services.TryAddSingleton<AlertEngine>();
        services.TryAddSingleton<IAlertOperations, AlertOperations>();
        services.TryAddSingleton<CheckpointCatalogProjection>();
        services.AddHostedService<ProjectionFeed>();
        services.AddHostedService<AlertFiringTimer>();
        services.AddHostedService<NodeLossWatcher>();
        services.TryAddSingleton<IJobQueries, JobQueries>();
        services.TryAddSingleton<IJobOperations, JobOperations>();
        services.TryAddSingleton<INodeOperations, NodeOperations>();
        services.TryAddSingleton<IAuditTrail, Audit.EventStoreAuditTrail>();
        services.AddOptions<AgentAuth.AgentCredentialOptions>().BindConfiguration(AgentAuth.AgentCredentialOptions.SectionName);
        return services;
    }
}
