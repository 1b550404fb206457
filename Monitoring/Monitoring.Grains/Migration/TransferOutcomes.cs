using Caas.Contracts.Bus;

namespace Caas.Monitoring.Grains.Migration;

/// <summary>
/// Where a migration waits for its image transfer: the consumer of the agents' transfer reports (on whichever silo gets
/// them) records the end in the transfer's <see cref="ITransferOutcomeGrain"/>, and the waiting migration looks there.
/// </summary>
public sealed class TransferOutcomes(IGrainFactory grains, TimeProvider time)
{
    /// <summary>Every poll's wait is downtime of the job being moved (with 200 ms, 100 ms on average per move); a poll is one local grain call.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <returns>Null when the image arrived within <paramref name="timeout"/>, or the reason it did not.</returns>
    public async Task<string?> WaitAsync(Guid transferId, TimeSpan timeout)
    {
        var outcome = grains.GetGrain<ITransferOutcomeGrain>(transferId);
        var deadline = time.GetUtcNow() + timeout;
        while (time.GetUtcNow() < deadline)
        {
            if (await outcome.Outcome() is { } end)
                return end.Problem;
            await Task.Delay(Poll, time);
        }
        return $"no transfer report within {timeout.TotalMinutes:0} minutes";
    }

    public Task Arrived(CheckpointTransferred report) => grains.GetGrain<ITransferOutcomeGrain>(report.TransferId).Report(null);

    public Task Failed(CheckpointTransferFailed report) =>
        grains.GetGrain<ITransferOutcomeGrain>(report.TransferId).Report($"node {report.NodeId}: {report.Reason}");
}
