namespace Caas.Monitoring.Grains;

/// <summary>Says for people how a process ended: "exit code 3", "killed by signal 9 (SIGKILL)", "killed by the kernel's OOM killer...".</summary>
public static class ExitDescription
{
    private static readonly Dictionary<int, string> SignalNames = new()
    {
        [1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [5] = "SIGTRAP", [6] = "SIGABRT", [7] = "SIGBUS",
        [8] = "SIGFPE", [9] = "SIGKILL", [10] = "SIGUSR1", [11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE",
        [14] = "SIGALRM", [15] = "SIGTERM", [24] = "SIGXCPU", [25] = "SIGXFSZ",
    };

    /// <param name="agentReason">What the agent says when neither a code nor a signal tells (an engine error, a vanished process).</param>
    public static string Of(int? exitCode, int? signal, string? agentReason = null) => signal is { } s
        ? SignalNames.TryGetValue(s, out var name) ? $"killed by signal {s} ({name})" : $"killed by signal {s}"
        : exitCode is { } code ? $"exit code {code}"
        : string.IsNullOrWhiteSpace(agentReason) ? "ended without an exit status" : $"ended without an exit status: {Bounded(agentReason)}";

    /// <summary>For a job the kernel's OOM killer ended: a memory problem, not a crash, and the limit says how much it had.</summary>
    public static string OutOfMemory(long? limitBytes) => limitBytes is { } limit
        ? $"killed by the kernel's OOM killer (signal 9, SIGKILL): the job reached its memory limit of {MiB(limit)}"
        : "killed by the kernel's OOM killer (signal 9, SIGKILL): the job ran out of memory";

    private static string MiB(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " MiB";

    // The reason goes into the job's stream for ever: an engine's error output must not bloat it.
    private const int MaxReasonLength = 500;

    private static string Bounded(string text) => text.Length <= MaxReasonLength ? text : text[..MaxReasonLength] + "…";
}
