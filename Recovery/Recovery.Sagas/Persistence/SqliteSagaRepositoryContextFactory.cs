using MassTransit;
using MassTransit.Saga;

namespace Caas.Recovery.Sagas.Persistence;

/// <summary>MassTransit's entry into the SQLite saga store: one repository context per consumed message.</summary>
public sealed class SqliteSagaRepositoryContextFactory<TSaga> :
    ISagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISagaVersion
{
    private readonly SqliteSagaStore<TSaga> _store;
    private readonly ISagaConsumeContextFactory<SqliteSagaStore<TSaga>, TSaga> _factory;

    public SqliteSagaRepositoryContextFactory(SqliteSagaStore<TSaga> store, ISagaConsumeContextFactory<SqliteSagaStore<TSaga>, TSaga> factory)
    {
        _store = store;
        _factory = factory;
    }

    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class =>
        next.Send(new SqliteSagaRepositoryContext<TSaga, T>(_store, context, _factory));

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        var instances = await SqliteSagaQuery.MatchingAsync(_store, query, context.CancellationToken).ConfigureAwait(false);
        var repositoryContext = new SqliteSagaRepositoryContext<TSaga, T>(_store, context, _factory);
        await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances)).ConfigureAwait(false);
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new SqliteSagaQueryContext<TSaga>(_store, cancellationToken));

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new SqliteSagaQueryContext<TSaga>(_store, cancellationToken));

    public void Probe(ProbeContext context)
    {
        context.Add("persistence", "sqlite");
        context.Add("table", _store.Table);
    }
}
