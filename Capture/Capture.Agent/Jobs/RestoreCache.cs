using System.Globalization;

namespace Caas.Capture.Agent.Jobs;

/// <summary>
/// The node's restore cache: the full page images of each job's newest checkpoint when the bundle stores them encoded (a page
/// delta on its parent, or zstd), kept from the dump under &lt;data&gt;/restore-cache/&lt;job&gt;/&lt;sequence&gt;/images/, so that a
/// restore of that checkpoint here reads them as they are instead of decoding the chain. Nothing in it is trusted: a restore
/// checks every page against the checkpoint's signed page index (see <see cref="Engine.Bundles.Dedup.RestoreCachePages"/>).
/// At most one checkpoint per job: a newer one replaces it, and it goes with its checkpoint.
/// </summary>
public sealed class RestoreCache(AgentPaths paths)
{
    private const string IncomingPrefix = ".incoming-";

    private string JobDirectory(string jobId) => Path.Combine(paths.DataDirectory, "restore-cache", jobId);

    /// <summary>The cache of checkpoint <paramref name="sequence"/>, which may not exist.</summary>
    public string DirectoryFor(string jobId, int sequence) => Path.Combine(JobDirectory(jobId), sequence.ToString(CultureInfo.InvariantCulture));

    /// <summary>Where a checkpoint being sealed puts its full page images; <see cref="Keep"/> or <see cref="Discard"/> follows.</summary>
    public string Incoming(string jobId, int sequence) => Path.Combine(JobDirectory(jobId), IncomingPrefix + sequence.ToString(CultureInfo.InvariantCulture));

    /// <summary>Checkpoint <paramref name="sequence"/> was sealed: its incoming images (if any) become the job's cache, and every other checkpoint's cache goes.</summary>
    public void Keep(string jobId, int sequence)
    {
        var incoming = Incoming(jobId, sequence);
        var kept = DirectoryFor(jobId, sequence);
        foreach (var other in Directory.Exists(JobDirectory(jobId)) ? Directory.GetDirectories(JobDirectory(jobId)) : [])
            if (other != incoming)
                Directory.Delete(other, recursive: true);
        if (Directory.Exists(incoming) && Directory.EnumerateFiles(incoming, "*", SearchOption.AllDirectories).Any())
            Directory.Move(incoming, kept);
        else
            Discard(jobId, sequence);
    }

    /// <summary>The checkpoint was not sealed: what it put in the cache goes.</summary>
    public void Discard(string jobId, int sequence)
    {
        if (Directory.Exists(Incoming(jobId, sequence)))
            Directory.Delete(Incoming(jobId, sequence), recursive: true);
    }

    /// <summary>Checkpoint <paramref name="sequence"/> was deleted: its cache goes with it.</summary>
    public void Forget(string jobId, int sequence)
    {
        if (Directory.Exists(DirectoryFor(jobId, sequence)))
            Directory.Delete(DirectoryFor(jobId, sequence), recursive: true);
    }
}
