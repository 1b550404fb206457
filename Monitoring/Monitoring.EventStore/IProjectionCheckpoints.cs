namespace Caas.Monitoring.EventStore;

/// <summary>
/// Where projections keep their checkpoints: in the event store's own database, so a checkpoint never refers to
/// events another database holds.
/// </summary>
public interface IProjectionCheckpoints
{
    /// <summary>Every saved checkpoint, by name.</summary>
    Task<IReadOnlyList<ProjectionCheckpoint>> ReadProjectionCheckpointsAsync(CancellationToken cancellationToken = default);

    /// <summary>Replaces the checkpoints of the projections named in <paramref name="checkpoints"/>, all in one transaction.</summary>
    Task SaveProjectionCheckpointsAsync(IReadOnlyList<ProjectionCheckpoint> checkpoints, CancellationToken cancellationToken = default);

    /// <summary>Forgets the checkpoint of projection <paramref name="name"/> (none is fine): it starts again from position 0.</summary>
    Task DeleteProjectionCheckpointAsync(string name, CancellationToken cancellationToken = default);
}
