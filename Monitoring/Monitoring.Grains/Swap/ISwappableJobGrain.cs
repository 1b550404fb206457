namespace Caas.Monitoring.Grains.Swap;

/// <summary>The job grain as a job of higher priority sees it when it takes this job's slot.</summary>
public interface ISwappableJobGrain : IGrainWithStringKey
{
    /// <summary>
    /// Checkpoints the running job in stop mode; once taken, the job is swapped out. False when it cannot be now (not
    /// running, a checkpoint already under way); true, without a second checkpoint, when it is already being swapped out.
    /// </summary>
    Task<bool> SwapOut(string byJobId, int byPriority);
}
