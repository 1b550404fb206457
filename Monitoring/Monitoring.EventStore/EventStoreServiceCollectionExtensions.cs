using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Caas.Monitoring.EventStore;

public static class EventStoreServiceCollectionExtensions
{
    /// <summary>Registers the SQLite event store at <paramref name="databasePath"/> (its directory is created) the event serializer and the projections' checkpoints in the same file.</summary>
    public static IServiceCollection AddCaasSqliteEventStore(this IServiceCollection services, string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        var fullPath = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        services.TryAddSingleton<EventSerializer>();
        services.TryAddSingleton<IEventStore>(provider => new SqliteEventStore(fullPath, provider.GetService<TimeProvider>()));
        services.TryAddSingleton(provider => (IProjectionCheckpoints)provider.GetRequiredService<IEventStore>());
        return services;
    }

    /// <summary>
    /// Registers the PostgreSQL event store, the event serializer and the projections' checkpoints in the same schema. The store creates or migrates its tables in the
    /// first schema of the connection's search path when it is first resolved.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is empty or not a valid Npgsql connection string.</exception>
    public static IServiceCollection AddCaasPostgresEventStore(this IServiceCollection services, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        // Parse now so a malformed string fails at start-up, not at the first append.
        _ = new NpgsqlConnectionStringBuilder(connectionString);
        services.TryAddSingleton<EventSerializer>();
        services.TryAddSingleton<IEventStore>(provider => new PostgresEventStore(connectionString, provider.GetService<TimeProvider>()));
        services.TryAddSingleton(provider => (IProjectionCheckpoints)provider.GetRequiredService<IEventStore>());
        return services;
    }
}
