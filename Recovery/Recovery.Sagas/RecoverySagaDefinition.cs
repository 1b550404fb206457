using Caas.Recovery.Sagas.Scheduling;
using MassTransit;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Caas.Recovery.Sagas;

/// <summary>How the recovery saga's endpoint consumes: retried on lost races, sends held until the state is saved.</summary>
public sealed class RecoverySagaDefinition : SagaDefinition<RecoverySagaState>
{
    public const string QueueName = "recovery";

    public RecoverySagaDefinition()
    {
        EndpointName = QueueName;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<RecoverySagaState> sagaConfigurator, IRegistrationContext context)
    {
        // Timeouts are stored in the saga's database before the saga moves on, and sent by the
        // dispatcher when due: they survive a crash of the host, and need no broker plugin.
        endpointConfigurator.AddPrePipeSpecification(new DurableMessageSchedulerSpecification(context));

        // A lost optimistic-concurrency race or a busy database is retried with the instance
        // reloaded; anything else (an invalid message) faults at once.
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<ConcurrencyException>();
            r.Handle<SqliteException>();
            r.Handle<NpgsqlException>(e => e.IsTransient);
            r.Intervals(10, 50, 100, 250, 500, 1000, 2000);
        });

        // RestoreJob and RecoveryEnded leave only after the state that explains them was written,
        // so a retried message never sends twice. The outbox also wraps the durable scheduler:
        // an Unschedule waits for the saved state, and timeouts stored by a failed attempt are cancelled.
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
