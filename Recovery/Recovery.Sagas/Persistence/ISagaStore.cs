using MassTransit;

namespace Caas.Recovery.Sagas.Persistence;

/// <summary>
/// Saga instances of one type as rows of one table, with optimistic concurrency on a version
/// column. SQLite (standalone) and PostgreSQL (cluster) implement it and pass one conformance suite.
/// </summary>
public interface ISagaStore<TSaga>
    where TSaga : class, ISagaVersion
{
    /// <summary>"sqlite" or "postgresql", for MassTransit's probe and for people reading logs.</summary>
    string Backend { get; }

    SagaTable Table { get; }

    Task<TSaga?> LoadAsync(Guid correlationId, CancellationToken cancellationToken = default);

    /// <summary>Inserts the instance unless one with its id exists; a concurrent duplicate is not an error.</summary>
    /// <returns>True when this call inserted it (its Version is then 1).</returns>
    Task<bool> TryInsertAsync(TSaga saga, CancellationToken cancellationToken = default);

    /// <summary>Inserts a new instance; if another writer inserted the same id first, MassTransit retries the message and then finds it.</summary>
    /// <exception cref="ConcurrencyException">An instance with this id exists.</exception>
    async Task InsertAsync(TSaga saga, CancellationToken cancellationToken = default)
    {
        if (!await TryInsertAsync(saga, cancellationToken).ConfigureAwait(false))
            throw new ConcurrencyException($"Saga {saga.CorrelationId} was inserted concurrently.", typeof(TSaga), saga.CorrelationId);
    }

    /// <summary>Writes the instance if nobody wrote it since it was loaded at its Version; then increments Version.</summary>
    /// <exception cref="ConcurrencyException">Another writer changed or deleted it first.</exception>
    Task UpdateAsync(TSaga saga, CancellationToken cancellationToken = default);

    /// <exception cref="ConcurrencyException">Another writer changed or deleted it first.</exception>
    Task DeleteAsync(TSaga saga, CancellationToken cancellationToken = default);

    /// <summary>Every instance, oldest first; for tools and tests that query by arbitrary expressions.</summary>
    Task<IReadOnlyList<TSaga>> LoadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>The newest <paramref name="take"/> instances, newest first.</summary>
    Task<IReadOnlyList<TSaga>> ListNewestAsync(int take, CancellationToken cancellationToken = default);

    /// <summary>The newest <paramref name="take"/> instances whose indexed JSON property equals <paramref name="value"/>, newest first.</summary>
    /// <exception cref="ArgumentException">The property is not one of the table's indexed properties.</exception>
    Task<IReadOnlyList<TSaga>> ListNewestWhereAsync(string indexedProperty, string value, int take, CancellationToken cancellationToken = default);

    /// <summary>Every instance in one of <paramref name="states"/>, oldest first.</summary>
    Task<IReadOnlyList<TSaga>> ListInStatesAsync(IReadOnlyCollection<string> states, CancellationToken cancellationToken = default);
}
