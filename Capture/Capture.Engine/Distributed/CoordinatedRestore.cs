namespace Caas.Capture.Engine.Distributed;

/// <summary>
/// Brings back all ranks of a distributed job from one coordinated checkpoint: every rank's namespace is created with
/// its address and locked, every rank is restored into its own, and only then are all unlocked. A rank whose address
/// answered before its sockets were back would reset its peers' restored connections. On any failure everything
/// done is undone (restored ranks killed, namespaces deleted), so the images can be restored again elsewhere.
/// </summary>
public static class CoordinatedRestore
{
    /// <exception cref="DistributedCheckpointFailedException">A rank could not be prepared or restored; all were abandoned.</exception>
    public static async Task RunAsync(IReadOnlyList<IRestoreRank> ranks, CancellationToken cancellationToken = default)
    {
        if (ranks.Count == 0)
            throw new ArgumentException("a distributed restore needs at least one rank", nameof(ranks));
        try
        {
            await PhaseAsync(ranks, "prepare", r => r.PrepareAsync(cancellationToken));
            await PhaseAsync(ranks, "restore", r => r.RestoreAsync(cancellationToken));
            await PhaseAsync(ranks, "unlock", r => r.UnlockAsync(cancellationToken));
        }
        catch (Exception e) when (e is DistributedCheckpointFailedException or OperationCanceledException)
        {
            await PhaseAsync(ranks, "abandon", r => r.AbandonAsync(CancellationToken.None));
            throw;
        }
    }

    private static Task PhaseAsync(IReadOnlyList<IRestoreRank> ranks, string phase, Func<IRestoreRank, Task> step) =>
        RankPhase.RunAsync(ranks, r => r.Rank, phase, async r =>
        {
            await step(r);
            return true;
        });
}
