using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Recovery.Sagas.Persistence;

public static class SagaStoreRepositoryRegistration
{
    /// <summary>Keeps this saga's instances in the saga store (SQLite or PostgreSQL) registered as a singleton in the container.</summary>
    public static ISagaRegistrationConfigurator<TSaga> StoreRepository<TSaga>(this ISagaRegistrationConfigurator<TSaga> saga)
        where TSaga : class, ISagaVersion
    {
        saga.Repository(repository =>
        {
            repository.RegisterLoadSagaRepository<TSaga, SagaStoreRepositoryContextFactory<TSaga>>();
            repository.RegisterQuerySagaRepository<TSaga, SagaStoreRepositoryContextFactory<TSaga>>();
            repository.RegisterSagaRepository<TSaga, ISagaStore<TSaga>, SagaConsumeContextFactory<ISagaStore<TSaga>, TSaga>,
                SagaStoreRepositoryContextFactory<TSaga>>();
        });
        return saga;
    }
}
