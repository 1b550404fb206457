using MassTransit;
using MassTransit.Middleware;
using MassTransit.Saga;

namespace Caas.Recovery.Sagas.Persistence;

/// <summary>Loads and queries saga instances outside of a message (test harness, tools).</summary>
public sealed class SagaStoreQueryContext<TSaga> :
    BasePipeContext,
    QuerySagaRepositoryContext<TSaga>,
    LoadSagaRepositoryContext<TSaga>
    where TSaga : class, ISagaVersion
{
    private readonly ISagaStore<TSaga> _store;

    public SagaStoreQueryContext(ISagaStore<TSaga> store, CancellationToken cancellationToken)
        : base(cancellationToken)
    {
        _store = store;
    }

    public async Task<TSaga> Load(Guid correlationId) =>
        (await _store.LoadAsync(correlationId, CancellationToken).ConfigureAwait(false))!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken = default)
    {
        var instances = await SagaStoreQuery.MatchingAsync(_store, query, cancellationToken).ConfigureAwait(false);
        return new LoadedSagaRepositoryQueryContext<TSaga>(this, instances);
    }
}
