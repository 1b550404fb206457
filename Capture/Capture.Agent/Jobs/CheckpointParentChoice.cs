using Caas.Capture.Engine.Bundles;
using Caas.Capture.Engine.Bundles.Dedup;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Agent.Jobs;

/// <summary>
/// Decides whether a new checkpoint is incremental, and against which parent: the job's newest earlier
/// checkpoint on this node, unless incremental checkpoints are off, the checkpoint stops the job, there is
/// none, its chain is already <see cref="ImageOptions.MaxChainLength"/> long (so every K-th is full), a
/// checkpoint it needs is gone, or it has no page index. Otherwise the checkpoint is full. Callers hold the job's lock.
/// </summary>
public sealed class CheckpointParentChoice(AgentPaths paths, CheckpointBundleVerifier verifier, IOptions<AgentOptions> options, ILogger<CheckpointParentChoice> logger)
{
    private readonly ImageOptions _options = options.Value.Images;

    /// <param name="leaveRunning">
    /// False for a checkpoint that stops the job (a migration, a swap-out, a recovery's move): it is taken to be restored, most
    /// often on another node, which holds no restore cache of it and would have to fetch and decode its whole chain before the
    /// engine starts (seconds for a 1 GiB job). Taken in full, it restores from its own images anywhere, and it seals sooner.
    /// </param>
    /// <returns>The parent to deduplicate against, or null for a full checkpoint.</returns>
    public async Task<ParentPages?> ChooseAsync(string jobId, int sequence, bool leaveRunning, CancellationToken cancellationToken)
    {
        if (!_options.Incremental)
            return null;
        if (!leaveRunning)
        {
            logger.LogInformation("checkpoint {Sequence} of job {JobId} is full: it stops the job, whose next restore (often on another node) then needs no chain", sequence, jobId);
            return null;
        }
        var checkpoints = SealedCheckpoints.List(paths, jobId);
        if (checkpoints.FirstOrDefault(c => c.Sequence < sequence) is not { } previous)
            return null;
        var length = SealedCheckpoints.ChainLength(checkpoints, previous.Sequence);
        if (length is null || length >= _options.MaxChainLength)
        {
            logger.LogInformation("checkpoint {Sequence} of job {JobId} is full: {Why}", sequence, jobId,
                length is null ? $"checkpoint {previous.Sequence} misses a parent" : $"checkpoint {previous.Sequence} ends a chain of {length}");
            return null;
        }
        var (parent, why) = await ParentPages.LoadAsync(paths.Checkpoint(jobId, previous.Sequence), verifier, jobId, cancellationToken);
        if (parent is null)
            logger.LogInformation("checkpoint {Sequence} of job {JobId} is full: checkpoint {Parent} cannot be its parent ({Why})", sequence, jobId, previous.Sequence, why);
        return parent;
    }
}
