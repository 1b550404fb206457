namespace Caas.Capture.Engine.Distributed;

/// <summary>
/// One rank of a distributed job as the coordinated checkpoint sees it: wherever the rank runs (this node, or another
/// node's agent behind the bus), these are the four things done to it.
/// </summary>
public interface ICheckpointRank
{
    int Rank { get; }

    /// <summary>Stops every packet in and out of the rank; idempotent.</summary>
    Task LockAsync(CancellationToken cancellationToken);

    /// <summary>Lets the rank's traffic flow again; idempotent.</summary>
    Task UnlockAsync(CancellationToken cancellationToken);

    /// <summary>Writes the rank's image and leaves it running (locked, it cannot move the job on meanwhile).</summary>
    Task<CheckpointTimings> DumpAsync(string imagesDirectory, CancellationToken cancellationToken);

    /// <summary>Ends the rank and frees its address (its namespace goes), so that it can be restored elsewhere.</summary>
    Task StopAsync(CancellationToken cancellationToken);
}
