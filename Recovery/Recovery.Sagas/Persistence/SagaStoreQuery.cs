using MassTransit;

namespace Caas.Recovery.Sagas.Persistence;

/// <summary>
/// MassTransit's expression queries, answered by scanning the table. Our state machines correlate
/// by id, so only tools and the test harness query; a table of finished incidents stays small
/// enough for that until it needs pruning.
/// </summary>
internal static class SagaStoreQuery
{
    public static async Task<IReadOnlyList<TSaga>> MatchingAsync<TSaga>(ISagaStore<TSaga> store, ISagaQuery<TSaga> query, CancellationToken cancellationToken)
        where TSaga : class, ISagaVersion
    {
        var matches = query.FilterExpression.Compile();
        var all = await store.LoadAllAsync(cancellationToken).ConfigureAwait(false);
        return all.Where(matches).ToList();
    }
}
