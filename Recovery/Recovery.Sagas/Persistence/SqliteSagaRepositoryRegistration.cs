using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Recovery.Sagas.Persistence;

public static class SqliteSagaRepositoryRegistration
{
    /// <summary>Keeps this saga's instances in the SQLite store registered as a singleton in the container.</summary>
    public static ISagaRegistrationConfigurator<TSaga> SqliteRepository<TSaga>(this ISagaRegistrationConfigurator<TSaga> saga)
        where TSaga : class, ISagaVersion
    {
        saga.Repository(repository =>
        {
            repository.RegisterLoadSagaRepository<TSaga, SqliteSagaRepositoryContextFactory<TSaga>>();
            repository.RegisterQuerySagaRepository<TSaga, SqliteSagaRepositoryContextFactory<TSaga>>();
            repository.RegisterSagaRepository<TSaga, SqliteSagaStore<TSaga>, SagaConsumeContextFactory<SqliteSagaStore<TSaga>, TSaga>,
                SqliteSagaRepositoryContextFactory<TSaga>>();
        });
        return saga;
    }
}
