namespace Caas.Contracts.Jobs;

/// <summary>Where a job is in its life. At every moment a submitted job is in exactly one of these.</summary>
public enum JobStatus
{
    /// <summary>Accepted, waiting for a node to launch it.</summary>
    Queued = 0,
    Running = 1,
    /// <summary>Being brought back from a checkpoint.</summary>
    Restoring = 2,
    /// <summary>Stopped on request (kill); can be restored from a checkpoint.</summary>
    Stopped = 3,
    /// <summary>Exited with status 0.</summary>
    Completed = 4,
    /// <summary>Exited non-zero, by a signal, or could not be started; the reason says which.</summary>
    Failed = 5,
    /// <summary>
    /// Its node stopped heartbeating and no checkpoint of the job is held on another node, so nothing could replace it:
    /// it goes on where it was if the node comes back with it; otherwise restore it from a checkpoint or kill it.
    /// </summary>
    Lost = 6,
}
