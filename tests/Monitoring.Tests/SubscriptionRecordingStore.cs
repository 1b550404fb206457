using System.Collections.Concurrent;
using Caas.Monitoring.EventStore;

namespace Caas.Monitoring.Tests;

/// <summary>A real event store that also notes where each $all subscription starts: that is where a projection feed resumed.</summary>
internal sealed class SubscriptionRecordingStore(IEventStore inner) : IEventStore, IProjectionCheckpoints
{
    private readonly IProjectionCheckpoints _checkpoints = (IProjectionCheckpoints)inner;

    public ConcurrentQueue<long> SubscribedFrom { get; } = new();

    public Task SubscribeToAllAsync(long fromPosition, Func<RecordedEvent, CancellationToken, ValueTask> handler, CancellationToken cancellationToken)
    {
        SubscribedFrom.Enqueue(fromPosition);
        return inner.SubscribeToAllAsync(fromPosition, handler, cancellationToken);
    }

    public Task<AppendResult> AppendAsync(string stream, long expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default) =>
        inner.AppendAsync(stream, expectedVersion, events, cancellationToken);
    public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string stream, long fromVersion, int maxCount, CancellationToken cancellationToken = default) =>
        inner.ReadStreamAsync(stream, fromVersion, maxCount, cancellationToken);
    public Task<IReadOnlyList<RecordedEvent>> ReadStreamBackwardAsync(string stream, long fromVersion, int maxCount, CancellationToken cancellationToken = default) =>
        inner.ReadStreamBackwardAsync(stream, fromVersion, maxCount, cancellationToken);
    public Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(long fromPosition, int maxCount, CancellationToken cancellationToken = default) =>
        inner.ReadAllAsync(fromPosition, maxCount, cancellationToken);
    public Task<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default) => inner.ReadHeadPositionAsync(cancellationToken);
    public Task SaveSnapshotAsync(StreamSnapshot snapshot, CancellationToken cancellationToken = default) => inner.SaveSnapshotAsync(snapshot, cancellationToken);
    public Task<StreamSnapshot?> ReadSnapshotAsync(string stream, CancellationToken cancellationToken = default) => inner.ReadSnapshotAsync(stream, cancellationToken);
    public Task<IReadOnlyList<ProjectionCheckpoint>> ReadProjectionCheckpointsAsync(CancellationToken cancellationToken = default) =>
        _checkpoints.ReadProjectionCheckpointsAsync(cancellationToken);
    public Task SaveProjectionCheckpointsAsync(IReadOnlyList<ProjectionCheckpoint> checkpoints, CancellationToken cancellationToken = default) =>
        _checkpoints.SaveProjectionCheckpointsAsync(checkpoints, cancellationToken);
    public Task DeleteProjectionCheckpointAsync(string name, CancellationToken cancellationToken = default) =>
        _checkpoints.DeleteProjectionCheckpointAsync(name, cancellationToken);
}
