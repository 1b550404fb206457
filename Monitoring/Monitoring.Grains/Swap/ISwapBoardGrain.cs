namespace Caas.Monitoring.Grains.Swap;

/// <summary>
/// Who runs and who waits swapped out, by pool (one instance, key 0), so that a job in a full pool can find the job to
/// swap out and a swapped-out job knows when its turn has come. Kept in memory: job grains report on every change and
/// every <see cref="SwapBoardGrain.Refresh"/>, and live and swapped-out jobs are woken after a restart, so the board is
/// whole again within one refresh; the swap itself is recorded in each job's stream.
/// </summary>
public interface ISwapBoardGrain : IGrainWithIntegerKey
{
    /// <param name="pool">The pool of the job's node; null while unknown.</param>
    Task Running(SwapCandidate job, string? pool);
    /// <param name="specPool">The pool the job asked for; null for any pool.</param>
    Task Waiting(SwappedOutJob job, string? specPool);
    /// <summary>The job neither runs nor waits any more (completed, failed, stopped, restoring).</summary>
    Task Left(string jobId);
    /// <summary>
    /// For a queued job that found no free slot in <paramref name="pool"/> (any pool when null): the running job to swap
    /// out, taken off the board, and swap-ins of that pool held back until <see cref="Placed"/>. Asked again by the same
    /// job, it answers the victim chosen before.
    /// </summary>
    Task<SwapChoice> ChooseVictim(string jobId, int priority, string? pool);
    /// <summary>The job that swapped another out has its slot: swap-ins may go ahead.</summary>
    Task Placed(string jobId);
    /// <summary>Whether the swapped-out job is first in line (highest priority, then oldest) and no swap-out of its pool is under way.</summary>
    Task<bool> IsNextToSwapIn(string jobId, string? specPool);
}
