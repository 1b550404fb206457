using Caas.Contracts.Services;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains.ReadModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Caas.Monitoring.Grains;

public static class MonitoringServiceCollectionExtensions
{
    /// <summary>
    /// The monitoring services for a host that has an Orleans silo or client (IGrainFactory) and an IEventStore:
    /// IJobOperations, INodeOperations, IJobQueries, the projections and the hosted feed that rebuilds them from $all at start.
    /// </summary>
    public static IServiceCollection AddCaasMonitoring(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton(MonitoringClock.Key, (provider, _) => provider.GetRequiredService<TimeProvider>());
        services.TryAddSingleton<EventSerializer>();
        services.TryAddSingleton<JobListProjection>();
        services.TryAddSingleton<AlertProjection>();
        services.TryAddSingleton<CheckpointCatalogProjection>();
        services.AddHostedService<ProjectionFeed>();
        services.TryAddSingleton<IJobQueries, JobQueries>();
        services.TryAddSingleton<IJobOperations, JobOperations>();
        services.TryAddSingleton<INodeOperations, NodeOperations>();
        return services;
    }
}
