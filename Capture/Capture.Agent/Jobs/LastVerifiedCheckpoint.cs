using System.Globalization;

namespace Caas.Capture.Agent.Jobs;

/// <summary>
/// The newest checkpoint of a job whose test restore came to life on this node, kept next to the job's bundles
/// (outside them: a bundle holds exactly its signed files). Retention never deletes it.
/// </summary>
public static class LastVerifiedCheckpoint
{
    private const string FileName = "last-verified";

    /// <returns>Null when none of the job's checkpoints was test-restored here (or the record is unreadable).</returns>
    public static int? Read(AgentPaths paths, string jobId)
    {
        try
        {
            return int.TryParse(File.ReadAllText(PathOf(paths, jobId)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Records <paramref name="sequence"/> unless a newer checkpoint is already recorded.</summary>
    public static void Record(AgentPaths paths, string jobId, int sequence)
    {
        if (Read(paths, jobId) is { } newer && newer > sequence)
            return;
        var path = PathOf(paths, jobId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, sequence.ToString(CultureInfo.InvariantCulture) + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Forgets <paramref name="sequence"/> when it is the recorded one (its bundle failed or is gone).</summary>
    public static void Forget(AgentPaths paths, string jobId, int sequence)
    {
        if (Read(paths, jobId) == sequence)
            File.Delete(PathOf(paths, jobId));
    }

    private static string PathOf(AgentPaths paths, string jobId) => Path.Combine(paths.CheckpointsDirectory, jobId, FileName);
}
