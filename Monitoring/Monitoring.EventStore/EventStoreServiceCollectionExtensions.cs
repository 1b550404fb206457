using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Caas.Monitoring.EventStore;

public static class EventStoreServiceCollectionExtensions
{
    /// <summary>Registers the SQLite event store at <paramref name="databasePath"/> (its directory is created) and the event serializer.</summary>
    public static IServiceCollection AddCaasSqliteEventStore(this IServiceCollection services, string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        var fullPath = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        services.TryAddSingleton<EventSerializer>();
        services.TryAddSingleton<IEventStore>(provider => new SqliteEventStore(fullPath, provider.GetService<TimeProvider>()));
        return services;
    }
}
