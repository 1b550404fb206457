using Caas.Capture.Engine.Bundles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Agent.Jobs;

/// <summary>
/// Keeps a job's checkpoints within <see cref="RetentionOptions"/>: the newest KeepLast, within
/// MaxBytesPerJob, and never the newest verified bundle, which is what a recovery falls back to,
/// nor the last one a test restore proved (<see cref="LastVerifiedCheckpoint"/>), nor a checkpoint
/// that a kept incremental one depends on.
/// Callers hold the job's lock, so no checkpoint or restore of the job runs meanwhile.
/// </summary>
public sealed class CheckpointRetention(AgentPaths paths, IOptions<AgentOptions> options, ILogger<CheckpointRetention> logger)
{
    private readonly RetentionOptions _options = options.Value.Retention;

    /// <param name="newestVerified">The sequence of the newest bundle known good (the one just sealed: its hashes were taken from its files); never deleted.</param>
    /// <returns>What was deleted, oldest first.</returns>
    public IReadOnlyList<PrunedCheckpoint> Apply(string jobId, int newestVerified)
    {
        // Only sealed bundles count: a directory without a manifest is not a checkpoint anybody can restore.
        var checkpoints = SealedCheckpoints.List(paths, jobId);
        var sealedBundles = checkpoints.Select(c => new Candidate(c.Sequence, c.Directory, BytesOnDisk(c.Directory))).ToList();

        var kept = new List<Candidate>();
        var removed = new List<(Candidate Bundle, string Reason)>();
        // The last test-restored checkpoint is the one known to come back to life: kept like the one just sealed.
        var lastTestRestored = LastVerifiedCheckpoint.Read(paths, jobId);
        bool IsProtected(int sequence) => sequence == newestVerified || sequence == lastTestRestored;
        var othersToKeep = _options.KeepLast - sealedBundles.Count(b => IsProtected(b.Sequence));
        foreach (var bundle in sealedBundles)
        {
            if (IsProtected(bundle.Sequence))
                kept.Add(bundle);
            else if (othersToKeep-- > 0)
                kept.Add(bundle);
            else
                removed.Add((bundle, $"beyond the last {_options.KeepLast} checkpoints"));
        }
        var total = kept.Sum(k => k.Bytes);
        // Oldest first, so what survives is the most recent work.
        foreach (var bundle in kept.OrderBy(k => k.Sequence).ToList())
        {
            if (total <= _options.MaxBytesPerJob)
                break;
            if (IsProtected(bundle.Sequence))
                continue;
            kept.Remove(bundle);
            total -= bundle.Bytes;
            removed.Add((bundle, $"the job's checkpoints exceeded {_options.MaxBytesPerJob} bytes"));
        }

        // An incremental checkpoint is restorable only with its parents: whatever a kept one depends on stays, whatever the rules said.
        var parents = checkpoints.ToDictionary(c => c.Sequence, c => c.ParentSequence);
        var needed = new HashSet<int>();
        foreach (var bundle in kept)
        {
            var parent = parents[bundle.Sequence];
            while (parent is { } p && parents.ContainsKey(p) && needed.Add(p))
                parent = parents[p];
        }
        removed.RemoveAll(r => needed.Contains(r.Bundle.Sequence));

        var pruned = new List<PrunedCheckpoint>();
        foreach (var (bundle, reason) in removed.OrderBy(r => r.Bundle.Sequence))
        {
            try
            {
                Directory.Delete(bundle.Directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("retention could not delete checkpoint {Sequence} of job {JobId}: {Problem}", bundle.Sequence, jobId, e.Message);
                continue;
            }
            logger.LogInformation("retention deleted checkpoint {Sequence} of job {JobId} ({Bytes} bytes): {Reason}", bundle.Sequence, jobId, bundle.Bytes, reason);
            pruned.Add(new PrunedCheckpoint(jobId, bundle.Sequence, bundle.Bytes, reason));
        }
        return pruned;
    }

    private static long BytesOnDisk(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Sum(f => f.Length);

    private sealed record Candidate(int Sequence, string Directory, long Bytes);
}
