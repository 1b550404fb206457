using Caas.Contracts.Alerts;
using Caas.Contracts.Services;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains.Alerts;
using Caas.Monitoring.Grains.Policies;
using Caas.Monitoring.Grains.ReadModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Caas.Monitoring.Grains;

public static class MonitoringServiceCollectionExtensions
{
    /// <summary>
    /// The monitoring services for a host that has an Orleans silo or client (IGrainFactory) and an IEventStore:
    /// IJobOperations, INodeOperations, IJobQueries, IAlertOperations, IRecoveryPolicies (defaults from Caas:Policies, validated at start), the projections, the alert lifecycle (notifications
    /// go nowhere until <see cref="AlertWebhooksServiceCollectionExtensions.AddCaasAlertWebhooks"/> adds delivery) and the
    /// hosted feed that folds them from $all, resuming after their saved checkpoints (IProjectionOperations).
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
        services.TryAddSingleton<JobAlertHistory>();
        services.TryAddSingleton<IAlertOperations, AlertOperations>();
        services.TryAddSingleton<CheckpointCatalogProjection>();
        services.TryAddSingleton<AlertsProjection>();
        services.TryAddSingleton<ProjectionFeed>();
        services.AddHostedService(provider => provider.GetRequiredService<ProjectionFeed>());
        services.TryAddSingleton<IProjectionOperations>(provider => provider.GetRequiredService<ProjectionFeed>());
        services.AddHostedService<LiveJobWaker>();
        services.AddHostedService<AlertFiringTimer>();
        services.AddHostedService<NodeLossWatcher>();
        services.TryAddSingleton<IJobQueries, JobQueries>();
        services.TryAddSingleton<IJobOperations, JobOperations>();
        services.TryAddSingleton<INodeOperations, NodeOperations>();
        services.AddCaasPolicyDefaults();
        services.TryAddSingleton<IRecoveryPolicies, RecoveryPolicies>();
        // Migrations run on a silo (MonitoringSiloBuilderExtensions); this host only asks one to start.
        services.TryAddSingleton<IJobMigrations, Migration.SiloJobMigrations>();
        // Output is read by a silo from the job's agent (Output.JobOutputGrain); this host only asks.
        services.TryAddSingleton<IJobOutput, Output.SiloJobOutput>();
        services.TryAddSingleton<IAuditTrail, Audit.EventStoreAuditTrail>();
        services.AddOptions<AgentAuth.AgentCredentialOptions>().BindConfiguration(AgentAuth.AgentCredentialOptions.SectionName);
        return services;
    }

    /// <summary>
    /// The platform's and pools' default recovery policies (Caas:Policies, validated at start): the job grains in every
    /// silo resolve a job's policy with them, and the web host's policy API shows them. Registering twice is harmless.
    /// </summary>
    public static IServiceCollection AddCaasPolicyDefaults(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(PolicyResolver)))
            return services;
        services.AddOptions<RecoveryPolicyOptions>().BindConfiguration(RecoveryPolicyOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RecoveryPolicyOptions>, RecoveryPolicyOptionsValidator>());
        services.TryAddSingleton(provider => new PolicyResolver(provider.GetRequiredService<IOptions<RecoveryPolicyOptions>>().Value));
        return services;
    }
}
