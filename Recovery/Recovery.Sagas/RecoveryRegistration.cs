using Caas.Contracts.Services;
using Caas.Recovery.Sagas.Persistence;
using Caas.Recovery.Sagas.Scheduling;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Caas.Recovery.Sagas;

/// <summary>Wiring of recovery into a host's bus and container.</summary>
public static class RecoveryRegistration
{
    public const string SagaTable = "recovery_sagas";

    /// <summary>The saga table with the index the incident queries use.</summary>
    public static SagaTable SagaTableDefinition { get; } = new(SagaTable, [nameof(RecoverySagaState.JobId)]);

    /// <summary>
    /// The recovery saga with its state and its timeouts in <paramref name="persistence"/>: the saga store, the durable
    /// scheduler its Schedule/Unschedule use, and the dispatcher that sends due timeouts.
    /// </summary>
    /// <exception cref="ArgumentException">Recovery is already registered on another database.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A timeout is not positive.</exception>
    public static IBusRegistrationConfigurator AddCaasRecovery(this IBusRegistrationConfigurator bus, RecoveryPersistence persistence, RecoveryOptions? options = null)
    {
        bus.TryAddSingleton((options ?? new RecoveryOptions()).Validated());
        AddStores(bus, persistence);
        bus.AddSagaStateMachine<RecoveryStateMachine, RecoverySagaState, RecoverySagaDefinition>()
            .StoreRepository();
        bus.AddHostedService<ScheduledMessageDispatcher>();
        return bus;
    }

    /// <summary><see cref="IRecoveryIncidents"/> over the saga's database, for hosts that query without running the saga (AddCaasRecovery registers it too).</summary>
    /// <exception cref="ArgumentException">Recovery is already registered on another database.</exception>
    public static IServiceCollection AddCaasRecoveryQueries(this IServiceCollection services, RecoveryPersistence persistence)
    {
        AddStores(services, persistence);
        return services;
    }

    private static void AddStores(IServiceCollection services, RecoveryPersistence persistence)
    {
        ArgumentNullException.ThrowIfNull(persistence);
        var registered = services.FirstOrDefault(d => d.ServiceType == typeof(RecoveryPersistence));
        if (registered is not null)
        {
            // The saga and its queries must read the same table, or the portal shows other incidents than the saga runs.
            if (!persistence.Equals(registered.ImplementationInstance))
                throw new ArgumentException($"Recovery is already registered on another database than {persistence}.", nameof(persistence));
            return;
        }
        services.AddSingleton(persistence);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DispatchSignal>();
        services.TryAddSingleton(new DispatcherOptions());
        services.TryAddSingleton<IRecoveryIncidents, RecoveryIncidents>();
        if (persistence.Database == RecoveryDatabase.Sqlite)
        {
            services.AddSingleton<ISagaStore<RecoverySagaState>>(s => new SqliteSagaStore<RecoverySagaState>(
                persistence.Location, SagaTableDefinition, saga => saga.CurrentState, s.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IScheduledMessageStore>(_ => new SqliteScheduledMessageStore(persistence.Location));
            return;
        }
        // A data source of recovery's own: other areas may register theirs on other databases.
        services.AddSingleton(_ => new RecoveryDataSource(NpgsqlDataSource.Create(persistence.Location)));
        services.AddSingleton<ISagaStore<RecoverySagaState>>(s => new PostgresSagaStore<RecoverySagaState>(
            s.GetRequiredService<RecoveryDataSource>().DataSource, SagaTableDefinition, saga => saga.CurrentState, s.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IScheduledMessageStore>(s => new PostgresScheduledMessageStore(s.GetRequiredService<RecoveryDataSource>().DataSource));
    }

    /// <summary>Owns recovery's PostgreSQL connection pool; the container disposes it with the host.</summary>
    private sealed class RecoveryDataSource(NpgsqlDataSource dataSource) : IAsyncDisposable, IDisposable
    {
        public NpgsqlDataSource DataSource { get; } = dataSource;

        public ValueTask DisposeAsync() => DataSource.DisposeAsync();

        public void Dispose() => DataSource.Dispose();
    }
}
