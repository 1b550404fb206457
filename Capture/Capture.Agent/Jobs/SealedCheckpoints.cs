using System.Globalization;
using System.Text.Json;
using Caas.Capture.Engine.Bundles;

namespace Caas.Capture.Agent.Jobs;

/// <summary>
/// A job's sealed checkpoints on this node (directories with a manifest) and the parent each depends on,
/// as its manifest says. For decisions on the agent's own disk (what to keep, what to take an incremental
/// checkpoint against); a restore trusts none of it and verifies the chain itself.
/// </summary>
public static class SealedCheckpoints
{
    /// <returns>Newest first.</returns>
    public static IReadOnlyList<SealedCheckpoint> List(AgentPaths paths, string jobId)
    {
        var jobDirectory = Path.Combine(paths.CheckpointsDirectory, jobId);
        if (!Directory.Exists(jobDirectory))
            return [];
        return Directory.EnumerateDirectories(jobDirectory)
            .Select(d => (Directory: d, Sequence: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : (int?)null))
            .Where(b => b.Sequence is not null && File.Exists(Path.Combine(b.Directory, CheckpointBundle.ManifestFileName)))
            .Select(b => new SealedCheckpoint(b.Sequence!.Value, b.Directory, ParentOf(b.Directory)))
            .OrderByDescending(b => b.Sequence)
            .ToList();
    }

    /// <returns>How many checkpoints a restore of <paramref name="sequence"/> reads: 1 for a full one; null when a parent it needs is missing.</returns>
    public static int? ChainLength(IReadOnlyList<SealedCheckpoint> checkpoints, int sequence)
    {
        var bySequence = checkpoints.ToDictionary(c => c.Sequence);
        var length = 0;
        int? current = sequence;
        while (current is { } s)
        {
            // Parents come before their children, so a chain longer than the list can only be a loop in crafted manifests.
            if (!bySequence.TryGetValue(s, out var checkpoint) || ++length > checkpoints.Count)
                return null;
            current = checkpoint.ParentSequence;
        }
        return length;
    }

    /// <summary>The parent an incremental (format 4) manifest names; null for a full one or an unreadable manifest.</summary>
    private static int? ParentOf(string bundleDirectory)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(bundleDirectory, CheckpointBundle.ManifestFileName)));
            var root = document.RootElement;
            return root.TryGetProperty("parentDigest", out var digest) && digest.ValueKind == JsonValueKind.String
                && root.TryGetProperty("parentSequence", out var parent) && parent.TryGetInt32(out var sequence)
                ? sequence
                : null;
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException)
        {
            return null;
        }
    }
}
