using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;

namespace Caas.Recovery.Sagas.Persistence;

/// <summary>What MassTransit does with saga instances while it consumes one message, carried out on its saga store (SQLite or PostgreSQL).</summary>
public sealed class SagaStoreRepositoryContext<TSaga, TMessage> :
    ConsumeContextScope<TMessage>,
    SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, ISagaVersion
    where TMessage : class
{
    private readonly ISagaStore<TSaga> _store;
    private readonly ConsumeContext<TMessage> _consumeContext;
    private readonly ISagaConsumeContextFactory<ISagaStore<TSaga>, TSaga> _factory;

    public SagaStoreRepositoryContext(ISagaStore<TSaga> store, ConsumeContext<TMessage> consumeContext, ISagaConsumeContextFactory<ISagaStore<TSaga>, TSaga> factory)
        : base(consumeContext, store)
    {
        _store = store;
        _consumeContext = consumeContext;
        _factory = factory;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        _factory.CreateSagaConsumeContext(_store, consumeContext, instance, mode);

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        _factory.CreateSagaConsumeContext(_store, _consumeContext, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        // Null tells MassTransit another message created it first: it then loads that one.
        if (!await _store.TryInsertAsync(instance, CancellationToken).ConfigureAwait(false))
            return null!;
        return await _factory.CreateSagaConsumeContext(_store, _consumeContext, instance, SagaConsumeContextMode.Insert).ConfigureAwait(false);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await _store.LoadAsync(correlationId, CancellationToken).ConfigureAwait(false);
        if (instance is null)
            return null!;
        return await _factory.CreateSagaConsumeContext(_store, _consumeContext, instance, SagaConsumeContextMode.Load).ConfigureAwait(false);
    }

    public Task Save(SagaConsumeContext<TSaga> context) => _store.InsertAsync(context.Saga, CancellationToken);

    public Task Update(SagaConsumeContext<TSaga> context) => _store.UpdateAsync(context.Saga, CancellationToken);

    public Task Delete(SagaConsumeContext<TSaga> context) => _store.DeleteAsync(context.Saga, CancellationToken);

    // Nothing was written for an added instance until Save, and each write is its own statement.
    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context) => Task.CompletedTask;
}
