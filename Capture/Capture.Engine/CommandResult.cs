namespace Caas.Capture.Engine;

/// <summary>What an external command did: exit code and what it wrote.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>The command's own explanation for people: its last non-empty stderr lines, without CRIU's harmless RLIMIT_NOFILE noise.</summary>
    public string Explanation(int maxLines = 4)
    {
        var lines = StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.Contains("RLIMIT_NOFILE", StringComparison.Ordinal))
            .TakeLast(maxLines)
            .ToList();
        return lines.Count > 0 ? string.Join(" | ", lines) : $"exit code {ExitCode}, no error output";
    }
}
