using System.Diagnostics;

namespace Caas.Capture.Engine.Distributed;

/// <summary>
/// One consistent checkpoint of all ranks of a distributed job: lock every rank's network, then dump every rank
/// (leaving it running), then unlock every rank, or, to migrate, stop every rank. While all are locked no byte moves
/// between ranks, so each connection's two ends are captured in agreement whatever the order of the dumps (CRIU's
/// TCP repair keeps unacknowledged data in the sender's image). Dumps leave ranks running even for a migration, so
/// that a failure in any rank can be undone: then every rank is unlocked and goes on, and nothing was stopped.
/// </summary>
public static class CoordinatedCheckpoint
{
    /// <param name="imagesDirectoryOf">Where each rank's images go, by rank.</param>
    /// <param name="stop">Stop every rank once all are dumped (for a migration) instead of unlocking them.</param>
    /// <exception cref="DistributedCheckpointFailedException">A lock or dump failed; every rank was unlocked and runs on.</exception>
    public static async Task<CoordinatedCheckpointResult> RunAsync(IReadOnlyList<ICheckpointRank> ranks, Func<int, string> imagesDirectoryOf,
        bool stop, CancellationToken cancellationToken = default)
    {
        if (ranks.Count == 0)
            throw new ArgumentException("a distributed checkpoint needs at least one rank", nameof(ranks));
        var locked = Stopwatch.StartNew();
        var imageSetComplete = false;
        try
        {
            await PhaseAsync(ranks, "lock", async r => { await r.LockAsync(cancellationToken); return true; });
            var timings = await PhaseAsync(ranks, "dump", r => r.DumpAsync(imagesDirectoryOf(r.Rank), cancellationToken));
            // From here on the image set is complete and a failure no longer undoes the checkpoint.
            imageSetComplete = true;
            await PhaseAsync(ranks, stop ? "stop" : "unlock", async r =>
            {
                await (stop ? r.StopAsync(cancellationToken) : r.UnlockAsync(cancellationToken));
                return true;
            });
            return new CoordinatedCheckpointResult(timings, locked.Elapsed);
        }
        catch (Exception e) when (!imageSetComplete && e is DistributedCheckpointFailedException or OperationCanceledException)
        {
            // The job goes on as if nothing had happened; an unlock that fails too is named with the first failure.
            try
            {
                await PhaseAsync(ranks, "unlock", async r => { await r.UnlockAsync(CancellationToken.None); return true; });
            }
            catch (DistributedCheckpointFailedException unlock)
            {
                var first = e as DistributedCheckpointFailedException;
                throw new DistributedCheckpointFailedException($"{e.Message}; and then {unlock.Message}",
                    [.. (first?.FailedRanks ?? []).Union(unlock.FailedRanks)]);
            }
            throw;
        }
    }

    private static Task<IReadOnlyList<T>> PhaseAsync<T>(IReadOnlyList<ICheckpointRank> ranks, string phase, Func<ICheckpointRank, Task<T>> step) =>
        RankPhase.RunAsync(ranks, r => r.Rank, phase, step);
}
