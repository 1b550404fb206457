namespace Caas.Capture.Engine;

/// <summary>
/// Runs jobs so that they can be captured, and captures and brings them back. Failures are
/// <see cref="CheckpointEngineException"/> with a reason for people.
/// </summary>
public interface ICheckpointEngine
{
    /// <summary>Whether this engine can checkpoint on this machine, and if not why.</summary>
    Task<EngineProbe> ProbeAsync(CancellationToken cancellationToken = default);

    /// <summary>Starts the job in its own PID namespace; returns once it runs.</summary>
    Task<JobHandle> LaunchAsync(JobLaunchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Writes the job's image into <paramref name="imagesDirectory"/>; without <paramref name="leaveRunning"/> the job is gone afterwards.</summary>
    Task<CheckpointTimings> CheckpointAsync(JobHandle job, string imagesDirectory, bool leaveRunning, CancellationToken cancellationToken = default);

    /// <summary>Brings a job back from images that were already verified (all but the page images, with <paramref name="pagesVerified"/>); returns once it runs.</summary>
    /// <param name="networkNamespace">The namespace (a path) to restore a rank into, which must carry the rank's address; the engine's own when null.</param>
    /// <param name="pagesVerified">
    /// When given, the verification of the page images, running while the engine restores: the restored tasks are held
    /// before they run a single instruction of their own until it succeeds, and killed if it fails (the restore then
    /// fails). Its failure is the caller's to report; the engine only obeys it.
    /// </param>
    Task<JobHandle> RestoreAsync(string jobId, string stateDirectory, string imagesDirectory, CancellationToken cancellationToken = default, string? networkNamespace = null,
        Task? pagesVerified = null);

    /// <summary>Ends the job's whole process tree.</summary>
    /// <returns>False when the job's root is already gone (or its PID now names another process, which is left alone).</returns>
    bool Kill(JobHandle job);

    /// <summary>True while the job's root process is the one that was launched or restored and has not been reaped.</summary>
    bool IsRunning(JobHandle job);

    /// <summary>How the job ended, once its state directory says so; null while it runs.</summary>
    JobExitStatus? ReadExit(string stateDirectory);

    /// <summary>Whether the kernel's OOM killer ended the job (it reached its memory limit); false for a job without one.</summary>
    bool WasOutOfMemory(string jobId);

    /// <summary>Frees what the engine set up for the job's limits, once its exit has been reported.</summary>
    void ReleaseLimits(string jobId);
}
