namespace Caas.Capture.Engine.Distributed;

/// <summary>One rank of a distributed job as the coordinated restore sees it, on the node it is restored to.</summary>
public interface IRestoreRank
{
    int Rank { get; }

    /// <summary>Creates the rank's network namespace with its address, locked, so nothing answers for it yet.</summary>
    Task PrepareAsync(CancellationToken cancellationToken);

    /// <summary>Restores the rank from its images into the prepared namespace.</summary>
    Task RestoreAsync(CancellationToken cancellationToken);

    Task UnlockAsync(CancellationToken cancellationToken);

    /// <summary>Undoes whatever of prepare and restore was done (kills a restored rank, deletes the namespace).</summary>
    Task AbandonAsync(CancellationToken cancellationToken);
}
