using Caas.Contracts.Services;
using Caas.Recovery.Sagas.Persistence;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Caas.Recovery.Sagas;

/// <summary>Wiring of recovery into a host's bus and container.</summary>
public static class RecoveryRegistration
{
    public const string SagaTable = "recovery_sagas";

    /// <summary>The recovery saga with its state in <paramref name="sqliteDatabasePath"/> and the default timeouts.</summary>
    public static IBusRegistrationConfigurator AddCaasRecovery(this IBusRegistrationConfigurator bus, string sqliteDatabasePath) =>
        bus.AddCaasRecovery(sqliteDatabasePath, new RecoveryOptions());

    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A timeout is not positive.</exception>
    public static IBusRegistrationConfigurator AddCaasRecovery(this IBusRegistrationConfigurator bus, string sqliteDatabasePath, RecoveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        bus.TryAddSingleton(options.Validated());
        AddStore(bus, sqliteDatabasePath);
        bus.TryAddSingleton<IRecoveryIncidents, SqliteRecoveryIncidents>();
        bus.AddSagaStateMachine<RecoveryStateMachine, RecoverySagaState, RecoverySagaDefinition>()
            .SqliteRepository();
        bus.AddHostedService<OpenIncidentTimeouts>();
        return bus;
    }

    /// <summary><see cref="IRecoveryIncidents"/> over the same database file as the saga, for hosts that query without running the saga (AddCaasRecovery registers it too).</summary>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    public static IServiceCollection AddCaasRecoveryQueries(this IServiceCollection services, string sqliteDatabasePath)
    {
        AddStore(services, sqliteDatabasePath);
        services.TryAddSingleton<IRecoveryIncidents, SqliteRecoveryIncidents>();
        return services;
    }

    private static void AddStore(IServiceCollection services, string sqliteDatabasePath)
    {
        if (string.IsNullOrWhiteSpace(sqliteDatabasePath))
            throw new ArgumentException("Recovery needs the path of its SQLite database file.", nameof(sqliteDatabasePath));
        var fullPath = Path.GetFullPath(sqliteDatabasePath);
        var registered = services.FirstOrDefault(d => d.ServiceType == typeof(SqliteSagaStore<RecoverySagaState>));
        if (registered is not null)
        {
            // The saga and its queries must read the same table, or the portal shows other incidents than the saga runs.
            if (registered.ImplementationFactory?.Target is not RecoveryDatabasePath { Path: var existing } || existing != fullPath)
                throw new ArgumentException($"Recovery is already registered on another database than '{fullPath}'.", nameof(sqliteDatabasePath));
            return;
        }
        services.TryAddSingleton(TimeProvider.System);
        var database = new RecoveryDatabasePath(fullPath);
        services.AddSingleton(database.CreateStore);
    }

    /// <summary>Remembers which file the store was registered for, so a second registration can be checked against it.</summary>
    private sealed record RecoveryDatabasePath(string Path)
    {
        public SqliteSagaStore<RecoverySagaState> CreateStore(IServiceProvider services) => new(
            Path, SagaTable, saga => saga.CurrentState, services.GetRequiredService<TimeProvider>(),
            [nameof(RecoverySagaState.JobId)]);
    }
}
