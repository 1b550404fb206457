using System.Collections.Concurrent;
using Caas.Contracts.Bus;

namespace Caas.Monitoring.Grains.Migration;

/// <summary>Where a migration waits for its image transfer: the consumer of the agents' transfer reports completes it by transfer id.</summary>
public sealed class TransferOutcomes
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<string?>> _waiting = new();

    /// <returns>A task that ends with null when the image arrived, or the reason it did not.</returns>
    public Task<string?> Expect(Guid transferId) =>
        _waiting.GetOrAdd(transferId, _ => new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Forget(Guid transferId) => _waiting.TryRemove(transferId, out _);

    public void Arrived(CheckpointTransferred report) => End(report.TransferId, null);

    public void Failed(CheckpointTransferFailed report) => End(report.TransferId, $"node {report.NodeId}: {report.Reason}");

    // A report for a transfer nobody waits for (another server's, or one that timed out) is left alone.
    private void End(Guid transferId, string? reason)
    {
        if (_waiting.TryRemove(transferId, out var waiter))
            waiter.TrySetResult(reason);
    }
}
