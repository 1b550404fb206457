using System.Globalization;

namespace Caas.Recovery.Sagas;

/// <summary>The sentences RecoveryEnded carries, in one place so that people read the same words everywhere.</summary>
public static class RecoveryOutcomes
{
    public const string NoCheckpoint = "no checkpoint to restore from";
    public const string AlertOnly = "alert only by policy";

    public static string RestoreFailed(string reason) => $"restore failed: {reason}";

    public static string RestoreTimedOut(TimeSpan timeout, string? nodeId) =>
        $"restore timed out: no answer from node {nodeId} within {Seconds(timeout)}";

    public static string NoNode(int attempts, string? problem) =>
        $"no node to restore on after {attempts} placement attempt{(attempts == 1 ? "" : "s")}: {problem ?? "placement did not answer"}";

    public static string TransferFailed(int? sequence, string reason) => $"checkpoint {sequence} could not be moved: {reason}";

    public static string TransferTimedOut(TimeSpan timeout, string? source, string? target) =>
        $"transfer timed out: the image did not move from node {source} to node {target} within {Seconds(timeout)}";

    /// <summary>Why a restored copy was given up for an older checkpoint.</summary>
    public static string NoProgress(int? pid, TimeSpan timeout) =>
        $"its restored copy{(pid is { } p ? $" (pid {p})" : "")} made no progress within {Seconds(timeout)}";

    public static string VerifyTimedOut(TimeSpan timeout) =>
        $"verify timed out: the restored job made no progress within {Seconds(timeout)}";

    public static string Recovered(int? sequence, double? progress) => progress is null
        ? $"restored from checkpoint {sequence}, job heartbeats again"
        : $"restored from checkpoint {sequence}, progress resumed at {Percent(progress.Value)}";

    /// <summary>A recovery that succeeded says which newer checkpoints it had to pass over, and why.</summary>
    public static string Recovered(int? sequence, double? progress, IReadOnlyList<string> refusals) =>
        refusals.Count == 0 ? Recovered(sequence, progress) : $"{Recovered(sequence, progress)} ({string.Join("; ", refusals)})";

    public static string Percent(double fraction) => (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
