using Caas.Contracts.Views;

namespace Caas.Contracts.Services;

/// <summary>The read models' feed: how far behind the store each is, and rebuilding them from the store (admins).</summary>
public interface IProjectionOperations
{
    Task<IReadOnlyList<ProjectionView>> ListProjectionsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Folds projection <paramref name="name"/> (all when null) again from position 0, with the projections it reads;
    /// returns at once, with the projections as they start over. Queries answer from the rebuilding state meanwhile.
    /// </summary>
    /// <exception cref="OperationRejectedException">No projection has that name (NotFound).</exception>
    Task<IReadOnlyList<ProjectionView>> RebuildAsync(string? name, CancellationToken cancellationToken = default);
}
