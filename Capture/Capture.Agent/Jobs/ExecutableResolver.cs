namespace Caas.Capture.Agent.Jobs;

/// <summary>Finds the program a job spec names, the way execvp would, so that a missing one is refused with a clear reason before the shim runs.</summary>
public static class ExecutableResolver
{
    /// <param name="searchPath">The PATH the job will have.</param>
    /// <exception cref="AgentRejectionException">When there is no such executable file.</exception>
    public static string Resolve(string command, string workingDirectory, string? searchPath)
    {
        if (command.Contains('/'))
        {
            var path = Path.GetFullPath(command, workingDirectory);
            return IsExecutableFile(path)
                ? path
                : throw new AgentRejectionException(File.Exists(path)
                    ? $"'{command}' is not executable (no execute permission)"
                    : $"executable '{command}' does not exist{(Directory.Exists(path) ? " (it is a directory)" : "")}");
        }
        foreach (var directory in (searchPath ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, command);
            if (IsExecutableFile(candidate))
                return candidate;
        }
        throw new AgentRejectionException($"executable '{command}' was not found on PATH");
    }

    private static bool IsExecutableFile(string path) =>
        File.Exists(path)
        && !OperatingSystem.IsWindows()
        && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
