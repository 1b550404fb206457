using MassTransit;
using MassTransit.Saga;

namespace Caas.Recovery.Sagas.Persistence;

/// <summary>MassTransit's entry into a saga store: one repository context per consumed message.</summary>
public sealed class SagaStoreRepositoryContextFactory<TSaga> :
    ISagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISagaVersion
{
    private readonly ISagaStore<TSaga> _store;
    private readonly ISagaConsumeContextFactory<ISagaStore<TSaga>, TSaga> _factory;

    public SagaStoreRepositoryContextFactory(ISagaStore<TSaga> store, ISagaConsumeContextFactory<ISagaStore<TSaga>, TSaga> factory)
    {
        _store = store;
        _factory = factory;
    }

    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class =>
        next.Send(new SagaStoreRepositoryContext<TSaga, T>(_store, context, _factory));

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        var instances = await SagaStoreQuery.MatchingAsync(_store, query, context.CancellationToken).ConfigureAwait(false);
        var repositoryContext = new SagaStoreRepositoryContext<TSaga, T>(_store, context, _factory);
        await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances)).ConfigureAwait(false);
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new SagaStoreQueryContext<TSaga>(_store, cancellationToken));

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new SagaStoreQueryContext<TSaga>(_store, cancellationToken));

    public void Probe(ProbeContext context)
    {
        context.Add("persistence", _store.Backend);
        context.Add("table", _store.Table);
    }
}
