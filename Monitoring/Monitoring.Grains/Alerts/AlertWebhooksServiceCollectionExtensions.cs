using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Caas.Monitoring.Grains.Alerts;

public static class AlertWebhooksServiceCollectionExtensions
{
    /// <summary>
    /// Delivers alert notifications to the webhooks of <c>Caas:Alerts:Webhooks</c> (each with Url and Secret) through a
    /// durable outbox in the SQLite database at <paramref name="databasePath"/>.
    /// </summary>
    public static IServiceCollection AddCaasAlertWebhooks(this IServiceCollection services, string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        services.TryAddSingleton(provider => ActivatorUtilities.CreateInstance<SqliteAlertOutbox>(provider, Path.GetFullPath(databasePath)));
        services.Replace(ServiceDescriptor.Singleton<IAlertOutbox>(provider => provider.GetRequiredService<SqliteAlertOutbox>()));
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }
}
